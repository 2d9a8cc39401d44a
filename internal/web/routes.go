package web

import "net/http"

// routes registers every page and action. Add one line per route here and
// put the method in a file named for the page (customers.go, jobs.go …).
//
// Console pages live at / and need a staff session (staffOnly); actions
// that change data need a writing role (writersOnly). Portal pages live
// under /my/ and need a customer session (customersOnly).
func (h *handler) routes(mux *http.ServeMux) {
	mux.Handle("GET "+StaticPrefix, h.static)

	// Sign-in and sign-out.
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /my/login", h.loginForm)
	mux.HandleFunc("POST /my/login", h.login)
	mux.HandleFunc("POST /my/logout", h.logout)

	// Staff console.
	mux.HandleFunc("GET /{$}", h.staffOnly(h.dashboard))
	mux.HandleFunc("GET /customers", h.staffOnly(h.customers))
	mux.HandleFunc("GET /customers/new", h.writersOnly(h.customerNewForm))
	mux.HandleFunc("POST /customers", h.writersOnly(h.customerCreate))
	mux.HandleFunc("GET /customers/{id}", h.staffOnly(h.customerDetail))
	mux.HandleFunc("GET /accounts/{id}", h.staffOnly(h.accountDetail))
	mux.HandleFunc("GET /premises/{id}", h.staffOnly(h.premiseDetail))
	mux.HandleFunc("POST /premises/{id}/home", h.writersOnly(h.premiseHome))
	mux.HandleFunc("POST /accounts/{id}/enrollments", h.writersOnly(h.enrollmentAdd))
	mux.HandleFunc("POST /accounts/{id}/enrollments/{eid}/end", h.writersOnly(h.enrollmentEnd))
	mux.HandleFunc("POST /accounts/{id}/climate-zone", h.writersOnly(h.climateZoneOverride))
	mux.HandleFunc("POST /accounts/{id}/climate-zone/clear", h.writersOnly(h.climateZoneClear))
	mux.HandleFunc("GET /meters/{id}", h.staffOnly(h.meterDetail))
	mux.HandleFunc("GET /meters/{id}/savings", h.staffOnly(h.meterSavings))
	mux.HandleFunc("GET /savings", h.staffOnly(h.savingsRuns))
	mux.HandleFunc("POST /savings", h.writersOnly(h.savingsRunStart))
	mux.HandleFunc("GET /savings/{id}", h.staffOnly(h.savingsRun))
	mux.HandleFunc("GET /costeff", h.staffOnly(h.costeffPage))
	mux.HandleFunc("GET /accounts/{id}/estimate", h.staffOnly(h.accountEstimate))
	mux.HandleFunc("GET /energy-team", h.staffOnly(h.energyTeamQueue))
	mux.HandleFunc("POST /energy-team/cases", h.writersOnly(h.energyTeamOpen))
	mux.HandleFunc("GET /energy-team/cases/{id}", h.staffOnly(h.energyTeamCase))
	mux.HandleFunc("POST /energy-team/cases/{id}", h.writersOnly(h.energyTeamUpdate))
	mux.HandleFunc("POST /energy-team/cases/{id}/notes", h.writersOnly(h.energyTeamNote))
	mux.HandleFunc("POST /energy-team/cases/{id}/referrals", h.writersOnly(h.energyTeamRefer))
	mux.HandleFunc("POST /meters/{id}/intervals", h.writersOnly(limitUpload(h.intervalImport)))
	mux.HandleFunc("GET /ev", h.staffOnly(h.evDashboard))
	mux.HandleFunc("GET /dr/events", h.staffOnly(h.drEvents))
	mux.HandleFunc("GET /dr/devices", h.staffOnly(h.drDevices))
	mux.HandleFunc("GET /dr/participants", h.staffOnly(h.drParticipants))
	mux.HandleFunc("GET /openadr/vens", h.staffOnly(h.openADRVENs))
	mux.HandleFunc("GET /dr/report", h.staffOnly(h.drReport))
	mux.HandleFunc("GET /dr/payables", h.staffOnly(h.drPayables))
	mux.HandleFunc("POST /dr/payables/pay", h.writersOnly(h.drPay))
	mux.HandleFunc("POST /dr/events", h.writersOnly(h.drSchedule))
	mux.HandleFunc("GET /dr/events/{id}", h.staffOnly(h.drEvent))
	mux.HandleFunc("POST /dr/events/{id}/cancel", h.writersOnly(h.drCancel))
	mux.HandleFunc("GET /dr/events/{id}/fleet", h.staffOnly(h.drFleet))
	mux.HandleFunc("POST /dr/events/{id}/fleet", h.writersOnly(h.drFleetDispatch))
	mux.HandleFunc("GET /audit", h.staffOnly(h.auditLog))
	mux.HandleFunc("GET /bills/{id}", h.staffOnly(h.billDetail))
	mux.HandleFunc("GET /bill-runs", h.staffOnly(h.billRuns))
	mux.HandleFunc("POST /bill-runs", h.writersOnly(h.billRunStart))
	mux.HandleFunc("GET /bill-runs/{id}", h.staffOnly(h.billRunDetail))
	mux.HandleFunc("GET /jobs", h.staffOnly(h.jobsList))
	mux.HandleFunc("GET /jobs/{id}", h.staffOnly(h.jobDetail))
	mux.HandleFunc("GET /tariffs", h.staffOnly(h.tariffs))
	mux.HandleFunc("POST /tariffs", h.adminsOnly(h.tariffImport))
	mux.HandleFunc("GET /tariffs/{id}", h.staffOnly(h.tariffDetail))
	mux.HandleFunc("GET /export-prices", h.staffOnly(h.exportTables))
	mux.HandleFunc("GET /export-prices/{id}", h.staffOnly(h.exportPrices))
	h.rpsRoutes(mux) // rps.go: the RPS position, annual report and certificate registry
	mux.HandleFunc("GET /nem", h.staffOnly(h.nemQueue))
	mux.HandleFunc("GET /nem/applications/{id}", h.staffOnly(h.nemApplication))
	mux.HandleFunc("POST /nem/applications/{id}/steps", h.writersOnly(h.nemStep))
	mux.HandleFunc("POST /nem/applications/{id}/documents", h.writersOnly(h.nemDocumentUpload))
	mux.HandleFunc("GET /nem/applications/{id}/documents/{did}", h.staffOnly(h.nemDocument))
	mux.HandleFunc("GET /nem/cap-report", h.staffOnly(h.nemCapReport))
	mux.HandleFunc("GET /nem/special-rates", h.staffOnly(h.nemSpecialRates))
	mux.HandleFunc("GET /nem/fit", h.staffOnly(h.nemFIT))
	h.nemFormRoutes(mux) // nem_forms.go: filing for a customer, revising a draft
	mux.HandleFunc("GET /incentives", h.staffOnly(h.incentives))
	mux.HandleFunc("GET /incentives/programs/{pid}", h.staffOnly(h.incentiveProgram))
	mux.HandleFunc("POST /incentives/programs/{pid}/policies/{policy}", h.writersOnly(h.incentivePolicySet))
	mux.HandleFunc("GET /incentives/applications", h.staffOnly(h.incentiveApplications))
	mux.HandleFunc("GET /incentives/applications/{id}", h.staffOnly(h.incentiveApplication))
	mux.HandleFunc("POST /incentives/applications/{id}/transition", h.writersOnly(h.incentiveTransition))
	h.grantRoutes(mux) // incentive_grants.go: a grant's staged disbursement
	mux.HandleFunc("GET /incentives/payments", h.staffOnly(h.incentivePayments))
	mux.HandleFunc("POST /incentives/payments", h.writersOnly(h.incentiveBatchCreate))
	mux.HandleFunc("GET /incentives/payments/{id}", h.staffOnly(h.incentiveBatch))
	mux.HandleFunc("GET /incentives/payments/{id}/file", h.staffOnly(h.incentiveBatchFile))
	mux.HandleFunc("POST /incentives/payments/{id}/results", h.writersOnly(h.incentiveBatchResults))
	mux.HandleFunc("GET /incentives/tracking", h.staffOnly(h.incentiveTracking))
	mux.HandleFunc("POST /incentives/tracking/projects/{id}/milestone", h.writersOnly(h.incentiveMilestone))

	// Customer portal.
	mux.HandleFunc("GET /my", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/my/", http.StatusMovedPermanently) })
	mux.HandleFunc("GET /my/{$}", h.customersOnly(h.portalAccounts))
	mux.HandleFunc("GET /my/accounts/{id}", h.customersOnly(h.portalAccountDetail))
	mux.HandleFunc("GET /my/accounts/{id}/report", h.customersOnly(h.portalHER))
	mux.HandleFunc("GET /my/accounts/{id}/estimate", h.customersOnly(h.portalEstimate))
	mux.HandleFunc("GET /my/accounts/{id}/plan", h.customersOnly(h.portalEstimate))
	mux.HandleFunc("POST /my/accounts/{id}/plan/case", h.customersOnly(h.portalAskAdvisor))
	mux.HandleFunc("GET /my/events", h.customersOnly(h.portalEvents))
	mux.HandleFunc("GET /my/ev", h.customersOnly(h.portalEV))
	mux.HandleFunc("POST /my/events/{id}/override", h.customersOnly(h.portalOverride))
	mux.HandleFunc("GET /my/solar", h.customersOnly(h.portalSolar))

	// Installer area (installer users, in the portal's frame).
	mux.HandleFunc("GET /my/installer/{$}", h.installersOnly(h.installerHome))
	mux.HandleFunc("POST /my/installer/applications", h.installersOnly(h.installerApply))
	mux.HandleFunc("GET /my/installer/applications/{id}", h.installersOnly(h.installerApplication))
	mux.HandleFunc("POST /my/installer/applications/{id}/steps", h.installersOnly(h.installerStep))
	mux.HandleFunc("POST /my/installer/applications/{id}/documents", h.installersOnly(h.installerUpload))
	mux.HandleFunc("GET /my/installer/applications/{id}/documents/{did}", h.installersOnly(h.installerDocument))
	mux.HandleFunc("GET /my/bills/{id}", h.customersOnly(h.portalBillDetail))
	mux.HandleFunc("GET /my/programs", h.customersOnly(h.portalPrograms))
	mux.HandleFunc("GET /my/programs/{pid}", h.customersOnly(h.portalApply))
	mux.HandleFunc("POST /my/programs/{pid}", h.customersOnly(h.portalApplySubmit))
	mux.HandleFunc("POST /my/programs/{pid}/coupon", h.customersOnly(h.portalCoupon))
	mux.HandleFunc("GET /my/applications", h.customersOnly(h.portalApplications))
	mux.HandleFunc("GET /my/applications/{id}", h.customersOnly(h.portalApplication))
	mux.HandleFunc("GET /green-leaders", h.greenLeaders) // public directory

	mux.HandleFunc("/", h.notFound)
}
