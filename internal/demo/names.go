package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The name lists are our own, chosen to sound like Los Angeles and Ventura
// counties; any resemblance to a real person or business is chance.
var firstNames = []string{
	"Maria", "Jose", "Juan", "Ana", "Carlos", "Luis", "Rosa", "Jorge", "Sofia", "Miguel",
	"James", "Mary", "Robert", "Linda", "Michael", "Jennifer", "David", "Susan", "John", "Karen",
	"Daniel", "Jessica", "Christopher", "Ashley", "Matthew", "Emily", "Anthony", "Sarah", "Andrew", "Michelle",
	"Wei", "Mei", "Jin", "Hyun", "Minh", "Linh", "Thanh", "Ji-woo", "Hiroshi", "Yuki",
	"Priya", "Ravi", "Aisha", "Omar", "Fatima", "Armen", "Ani", "Tigran", "Grace", "Samuel",
	"Isabella", "Mateo", "Valeria", "Diego", "Camila", "Gabriel", "Lucia", "Angel", "Elena", "Noah",
}

var lastNames = []string{
	"Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez", "Sanchez", "Ramirez", "Torres",
	"Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Morales", "Cruz", "Ortiz", "Gutierrez", "Chavez",
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
	"Thomas", "Moore", "Jackson", "White", "Harris", "Martin", "Thompson", "Young", "Allen", "King",
	"Kim", "Lee", "Park", "Nguyen", "Tran", "Pham", "Chen", "Wang", "Wong", "Liu",
	"Tanaka", "Nakamura", "Patel", "Shah", "Khan", "Sarkisian", "Petrosyan", "Cohen", "Santos", "Dela Cruz",
}

var streetNames = []string{
	"Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Sycamore", "Walnut", "Olive", "Orange",
	"Lemon", "Palm", "Jacaranda", "Magnolia", "Vista", "Sierra", "Mesa", "Alta", "Arroyo", "Canyon",
	"Mission", "Valley", "Foothill", "Ocean", "Pacific", "Sunset", "Washington", "Lincoln", "Jefferson", "Madison",
	"Huntington", "Garfield", "Atlantic", "Del Amo", "Rosecrans", "Telegraph", "Colima", "Ventura", "Santa Clara", "Camino Real",
}

var streetSuffixes = []string{"St", "Ave", "Blvd", "Dr", "Way", "Pl", "Rd", "Ln", "Ct"}

var businessKinds = []string{
	"Market", "Auto Repair", "Dental Group", "Bakery", "Taqueria", "Dry Cleaners", "Hardware", "Pharmacy",
	"Law Office", "Insurance Agency", "Fitness Studio", "Print Shop", "Veterinary Clinic", "Realty", "Cafe",
	"Noodle House", "Tire Center", "Laundromat", "Florist", "Pediatrics", "Machine Shop", "Cold Storage",
	"Furniture", "Bicycle Shop", "Hair Salon", "Pizza", "Medical Plaza", "Self Storage", "Brewing Co", "Logistics",
}

var farmKinds = []string{"Ranch", "Farms", "Growers", "Orchards", "Berry Farm", "Nursery", "Citrus", "Avocado Co"}

// areaCodes are telephone area codes of each county (NANPA): Los Angeles
// County's 310, 323, 562, 626, 661 and 818, and Ventura County's 805.
var areaCodes = map[string][]string{
	"06037": {"310", "323", "562", "626", "818", "661"},
	"06111": {"805"},
}

func pickString(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

func personName(r *rand.Rand) (first, last string) {
	return pickString(r, firstNames), pickString(r, lastNames)
}

// email uses example.com, reserved for documentation (RFC 2606), so demo
// mail can never reach a real person.
func email(first, last string, r *rand.Rand) string {
	clean := func(s string) string {
		return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(s))
	}
	return fmt.Sprintf("%s.%s%d@example.com", clean(first), clean(last), r.IntN(1000))
}

// phone uses the 555-01XX block that NANPA reserves for fictional use.
func phone(county string, r *rand.Rand) string {
	return fmt.Sprintf("(%s) 555-01%02d", pickString(r, areaCodes[county]), r.IntN(100))
}

func streetAddress(r *rand.Rand, multifamily bool) string {
	a := fmt.Sprintf("%d %s %s", 100+r.IntN(19800), pickString(r, streetNames), pickString(r, streetSuffixes))
	if multifamily {
		a += fmt.Sprintf(" Apt %d", 1+r.IntN(40))
	}
	return a
}
