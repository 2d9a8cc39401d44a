// Package web is gridbook's staff console (at /) and customer portal (at
// /my/): server-rendered html/template pages, htmx for partial updates and
// uPlot for charts, all embedded in the binary with no JavaScript build step.
//
// # Adding a page
//
// Write templates/console/NAME.html (or portal/NAME.html) defining
// "content", the inside of <main>:
//
//	{{define "content"}}
//	<div class="page-head"><h1>{{.Title}}</h1></div>
//	<div class="panel panel-flush"><div class="table-wrap"><table>…</table></div></div>
//	{{end}}
//
// then a handler method in NAME.go and one line in routes.go:
//
//	func (h *handler) customers(w http.ResponseWriter, r *http.Request) {
//		list, err := h.store.ListCustomers(r.Context(), …)
//		if err != nil {
//			h.rd.Error(w, r, err)
//			return
//		}
//		h.rd.Render(w, r, http.StatusOK, "console/customers",
//			&View{Title: "Customers", Nav: NavCustomers, Data: list})
//	}
//
// The template is parsed at startup with the layouts and partials into its
// own set; a parse error, an unknown template function or an unknown static
// file fails NewHandler. Render writes the whole page in the layout of its
// area, or only "content" for an htmx request; RenderBlock writes any other
// named block of the page. Forms post back, and on an apperr.Invalid error
// the handler calls View.SetError and renders the page again with status
// 400, so each input shows its message; on success it calls SetFlash and
// Redirect.
//
// # Template functions
//
//	asset "app.css"        versioned URL of a static file (/static/app.css?v=hash)
//	cents money.Cents      "$1,234.56", "-$0.05"
//	num  any integer       "1,234,567"
//	kwh  energy.Wh [d]     Wh as kWh with d decimals (default 3, exact): "1,234.567"
//	bps  int64             basis points as percent: 3350 → "33.50%"
//	date v                 calendar.Date or time.Time → "Mar 8, 2026" (Pacific)
//	isodate v              → "2026-03-08"
//	datetime time.Time     → "Mar 8, 2026 3:04 AM PDT" (Pacific)
//	field $ name label type value [opts…]   an Input for the "input" partial
//	chartJSON Chart        the data-chart attribute (used by the "chart" partial)
//	badgeTone string       the tone of a badge (used by the "badge" partial)
//
// # Partials
//
//	{{template "input" (field $ "email" "Email" "email" .Data.Email "required")}}
//	{{template "form_message" .}}        View.Message above a form
//	{{template "chart" .Data.Chart}}     a Chart drawn by uPlot
//	{{template "badge" "CARE"}}          a program or status badge
//	{{template "cards" .Data.Cards}}     a grid of dashboard counts ([]Card)
//
// # CSS conventions (static/app.css)
//
// .page-head (title row with .page-actions), .panel and .panel-flush
// (white boxes; flush for edge-to-edge tables), .grid-2 (two columns on wide
// screens), .table-wrap around tables, th.num/td.num for right-aligned
// tabular figures, .details (a dl of record fields), .filters (a row of
// search inputs), .button with -primary, -secondary, -danger, -small,
// -block, .flash-*, .muted, .small, .empty, .pager, .account-list (portal).
package web
