package web

// Card is one dashboard count for the "cards" partial, which lays a slice
// of them out as a responsive grid:
//
//	{{template "cards" .Data.Cards}}
//
// Value is already formatted (num, cents, kwh), so a card can show any unit.
type Card struct {
	Label string // what is counted, e.g. "Active customers"
	Value string // the figure, e.g. "12,480"
	Note  string // optional context under the figure, e.g. "+112 this month"
	Href  string // optional link to the list behind the figure
}
