package auth

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"golang.org/x/crypto/bcrypt"
)

func TestRolesGrantWhatDesignSays(t *testing.T) {
	// DESIGN.md "Security": staff roles admin, program manager, analyst
	// (read-only); customer logins see only the portal.
	tests := []struct {
		role                   Role
		valid, staff, canWrite bool
	}{
		{Admin, true, true, true},
		{ProgramManager, true, true, true},
		{Analyst, true, true, false},
		{CustomerRole, true, false, false},
		{"superuser", false, false, false},
		{"", false, false, false},
		{"Admin", false, false, false}, // role names are case-sensitive codes
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			if got := tt.role.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
			if got := tt.role.Staff(); got != tt.staff {
				t.Errorf("Staff() = %v, want %v", got, tt.staff)
			}
			if got := tt.role.CanWrite(); got != tt.canWrite {
				t.Errorf("CanWrite() = %v, want %v", got, tt.canWrite)
			}
		})
	}
}

func TestUserValidateNormalizesAndNamesFields(t *testing.T) {
	tests := []struct {
		name       string
		user       User
		wantFields []string
		wantEmail  string
	}{
		{"valid staff user, email lower-cased and trimmed",
			User{Email: "  Ana@CPA.Example ", Name: " Ana ", Role: Admin}, nil, "ana@cpa.example"},
		{"display-name form is not a bare address",
			User{Email: "Ana <ana@cpa.example>", Name: "Ana", Role: Analyst}, []string{"email"}, ""},
		{"missing @", User{Email: "ana.cpa.example", Name: "Ana", Role: Analyst}, []string{"email"}, ""},
		{"blank name", User{Email: "ana@cpa.example", Name: "   ", Role: Analyst}, []string{"name"}, ""},
		{"unknown role", User{Email: "ana@cpa.example", Name: "Ana", Role: "root"}, []string{"role"}, ""},
		{"everything wrong", User{}, []string{"email", "name", "role"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			err := u.Validate()
			if got := fieldNames(err); strings.Join(got, ",") != strings.Join(tt.wantFields, ",") {
				t.Fatalf("Validate() fields = %v, want %v (err %v)", got, tt.wantFields, err)
			}
			if tt.wantFields != nil && apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind = %v, want invalid", apperr.KindOf(err))
			}
			if tt.wantEmail != "" && u.Email != tt.wantEmail {
				t.Errorf("email = %q, want %q", u.Email, tt.wantEmail)
			}
		})
	}
}

func fieldNames(err error) []string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestHashPasswordLengthRules(t *testing.T) {
	// MinPasswordLength is 10 characters (runes); bcrypt reads at most 72
	// bytes, so longer passwords are refused rather than silently cut.
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"9 characters is too short", "abcdefghi", false},
		{"10 characters is enough", "abcdefghij", true},
		{"10 two-byte characters count as 10", strings.Repeat("é", 10), true},
		{"9 two-byte characters (18 bytes) are still 9 characters", strings.Repeat("é", 9), false},
		{"72 bytes is the bcrypt maximum", strings.Repeat("a", 72), true},
		{"73 bytes is refused", strings.Repeat("a", 73), false},
		{"37 two-byte characters are 74 bytes", strings.Repeat("é", 37), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword(tt.password, bcrypt.MinCost)
			if tt.ok {
				if err != nil {
					t.Fatalf("HashPassword: %v", err)
				}
				if !CheckPassword(h, tt.password) {
					t.Fatal("CheckPassword(hash, password) = false")
				}
				return
			}
			if apperr.KindOf(err) != apperr.Invalid || strings.Join(fieldNames(err), ",") != "password" {
				t.Fatalf("HashPassword(%q) err = %v, want invalid naming password", tt.password, err)
			}
		})
	}
}

func TestHashPasswordCost(t *testing.T) {
	h, err := HashPassword("correct horse battery", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != bcrypt.MinCost {
		t.Errorf("cost = %d, want %d", c, bcrypt.MinCost)
	}
	// Cost 0 means bcrypt's default (10).
	h, err = HashPassword("correct horse battery", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != 10 {
		t.Errorf("default cost = %d, want 10", c)
	}
}

func TestCheckPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"right password", h, "correct horse battery", true},
		{"wrong password", h, "correct horse battery!", false},
		{"case matters", h, "Correct horse battery", false},
		{"empty password", h, "", false},
		{"not a hash", "plaintext", "plaintext", false},
		{"empty hash", "", "correct horse battery", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Errorf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHashTokenIsSHA256Hex(t *testing.T) {
	// FIPS 180-2 Appendix B.1 test vector: SHA-256("abc").
	tests := []struct{ token, want string }{
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, tt := range tests {
		if got := HashToken(tt.token); got != tt.want {
			t.Errorf("HashToken(%q) = %s, want %s", tt.token, got, tt.want)
		}
	}
}

func TestNewTokenStoresOnlyTheHash(t *testing.T) {
	tok, hash := NewToken("gbs_")
	if !strings.HasPrefix(tok, "gbs_") {
		t.Errorf("token %q lacks prefix gbs_", tok)
	}
	// 32 random bytes in unpadded base64url are 43 characters.
	if len(tok) != len("gbs_")+43 {
		t.Errorf("token length = %d, want %d", len(tok), len("gbs_")+43)
	}
	if hash != HashToken(tok) {
		t.Error("returned hash is not HashToken(token)")
	}
	if strings.Contains(hash, strings.TrimPrefix(tok, "gbs_")) {
		t.Error("hash contains the token")
	}
	tok2, hash2 := NewToken("gbs_")
	if tok2 == tok || hash2 == hash {
		t.Error("two NewToken calls returned the same token")
	}
}

func TestValidateScopes(t *testing.T) {
	tests := []struct {
		name    string
		scopes  []string
		wantErr bool
	}{
		{"every known scope", []string{"registry:read", "registry:write", "jobs:read"}, false},
		{"none", nil, false},
		{"unknown scope", []string{"registry:read", "billing:write"}, true},
		{"case matters", []string{"Registry:Read"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateScopes(tt.scopes)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("ValidateScopes: %v", err)
				}
				return
			}
			if apperr.KindOf(err) != apperr.Invalid || fieldNames(err)[0] != "scopes" {
				t.Fatalf("err = %v, want invalid naming scopes", err)
			}
		})
	}
}

func TestClientHas(t *testing.T) {
	c := Client{Scopes: []string{ScopeRegistryRead}}
	if !c.Has("registry:read") {
		t.Error("Has(registry:read) = false")
	}
	if c.Has("registry:write") {
		t.Error("Has(registry:write) = true for a read-only client")
	}
}

func TestActorString(t *testing.T) {
	tests := []struct {
		actor Actor
		want  string
	}{
		{Actor{Kind: "user", ID: 3, Name: "ana@cpa.example"}, "user:3 ana@cpa.example"},
		{Actor{Kind: "cli", Name: "import"}, "cli import"},
		{System, "system gridbook"},
	}
	for _, tt := range tests {
		if got := tt.actor.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.actor, got, tt.want)
		}
	}
}

// A sign-in is counted per (address, login name) with the low limit and
// per address with the higher ceiling, so one person's failures do not lock
// out the others behind the same address.
func TestLoginLimitsArePerAddressAndNameWithAnAddressCeiling(t *testing.T) {
	got := LoginLimits("192.0.2.7", "ana@cpa.example")
	want := []LoginLimit{{Key: "login:192.0.2.7 ana@cpa.example", Max: 5}, {Key: "ip:192.0.2.7", Max: 50}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("LoginLimits = %+v, want %+v", got, want)
	}
	other := LoginLimits("192.0.2.7", "bo@cpa.example")
	if other[0].Key == got[0].Key || other[1].Key != got[1].Key {
		t.Errorf("another name from the same address: %+v; want its own pair key and the shared address key", other)
	}
	if elsewhere := LoginLimits("198.51.100.2", "ana@cpa.example"); elsewhere[0].Key == got[0].Key {
		t.Error("the same name from another address shares the pair key")
	}
	if MaxAddressLoginFailures <= MaxLoginFailures {
		t.Error("the address ceiling must be above the per-name limit")
	}
}
