// Package openadr is gridbook's OpenADR 3.1.0 Virtual Top Node (VTN),
// served under /openadr3 (DESIGN.md; the specification is
// shared/data/openadr3/3.1.0/openadr3.yaml, OpenADR Alliance, Apache-2.0).
//
// Business logic (BL) and VENs authenticate with OAuth2 client
// credentials at POST /auth/token and send the token as a bearer token.
// The spec's scopes decide what each may do: BL clients read_all,
// write_programs, write_events, write_subscriptions and write_vens; VEN
// clients read_targets, read_ven_objects, write_reports,
// write_subscriptions and write_vens. A VEN sees and changes only its own
// VEN, resources, reports and subscriptions; another VEN's are 403.
//
// Programs are gridbook's demand-response programs (internal/dr,
// programs.json; read-only here) and events are gridbook's events
// (dr_events): each gridbook program is an OpenADR program whose id is its
// code, and each event an OpenADR event "event-<id>" with the payload its
// program carries (SIMPLE levels for Power Response and PMP, a pre-cool
// and a CONTROL_LEVEL_OFFSET interval for Energy Day thermostats,
// DISPATCH_SETPOINT for the battery fleet) and report descriptors asking
// VENs for USAGE, DELTA_USAGE, BASELINE and OPERATING_STATE. A BL that
// POSTs an event schedules a gridbook event through the program's rules
// (a broken rule is the spec's 400 problem naming it); DELETE cancels it.
// There is no opt-out message in OpenADR 3 (research/dr-ev.md §1.2);
// overrides are recorded through the JSON API and portal.
//
// Subscriptions deliver notifications by webhook (POST of the spec's
// notification object to callbackUrl with the subscription's bearer
// token) for the objects and operations subscribed, after the change is
// committed, retried three times. MQTT notifiers are not offered yet:
// GET /notifiers answers WEBHOOK only.
package openadr
