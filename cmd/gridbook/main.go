// Command gridbook runs a California load-serving entity's customer programs
// and regulatory obligations: `gridbook serve` starts the staff console,
// customer portal and JSON API; the other commands manage data from the
// shell. Run `gridbook help` for the command list.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	_ "time/tzdata" // Pacific time must resolve even without system zoneinfo

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// command is one `gridbook <noun> [verb]` entry.
type command struct {
	name  string // "serve", "user add"
	args  string // usage of positional arguments and flags, for help
	short string
	run   func(ctx context.Context, env *env, args []string) error
}

// env is what a command gets from the process: streams and environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

var errUsage = errors.New("usage")

func commands() []command {
	return []command{
		{"serve", "[--addr HOST:PORT] [--db DB] [--demo] [--workers N] [--mqtt HOST:PORT [--mqtt-anonymous]]", "run the console, portal and JSON API", runServe},
		{"demo", "[--db PATH] [--accounts N] [--seed S] [--year Y] [--bill]", "generate the deterministic demo CCA", runDemo},
		{"migrate", "[--db DB] [--json]", "apply database migrations and print the schema version", runMigrate},
		{"user add", "--email E --name N --role admin|program_manager|analyst|customer|installer|participant [--account NUMBER]... [--org ORG] (password from GRIDBOOK_PASSWORD or stdin)", "add a console or portal user (a participant acts for its --org in the registry)", runUserAdd},
		{"user list", "[--json]", "list users", runUserList},
		{"user disable", "--email E", "disable a user and end their sessions", runUserDisable},
		{"client add", "--name N --scope S [--scope S]... [--org ORG]", "add an API client and print its bearer token once (--org: a registry participant's client, its organization's accounts only)", runClientAdd},
		{"job list", "[--state S] [--json]", "list background jobs", runJobList},
		{"job show", "ID [--json]", "show one background job with its progress", runJobShow},
		{"bill calc", "--tariff FILE --intervals FILE [--program none|nem1|nem2|nbt] [--start DATE --end DATE] [--cycle-day N] [--export-prices FILE --vintage YYYY] [--care|--fera] [--lse bundled|cca] [--calendar sam --metering 0|1|2|4 [--sell-rates FILE]] [--nsc-rate $/kWh] [--lines] [--json]", "bill interval data on a tariff from files alone (no database)", runBillCalc},
		{"bench billing", "[--accounts N] [--interval 60|15] [--program none|nem1|nem2|nbt] [--workers N] [--json]", "bill N synthetic account-years in memory and report account-years per second", runBenchBilling},
		{"tariff import", "[--db DB] [--format urdb|native|nbt-csv] [--code C] [--utility U --vintage Y] [--shipped] FILE...", "import tariff versions or NBT export-price tables", runTariffImport},
		{"tariff list", "[--utility U] [--code C] [--on DATE] [--sector S] [--json]", "list stored tariff versions", runTariffList},
		{"tariff exports", "[--utility U] [--json]", "list stored NBT export-price tables", runTariffExports},
		{"tariff show", "CODE [--utility U] [--on DATE] [--json]", "show the tariff version in effect: period grids and prices", runTariffShow},
		{"nem", "apply|submit|review|approve|reject|sign|meter|pto|activate|terminate|withdraw|decide|show|list|document|cap-report|installer|special|fit … (gridbook nem help)", "net metering interconnection applications, the AB 327 cap report, TOU-8 Option R/A and the feed-in tariff", runNEM},
		{"rps", "calc|eligibility|rules|profile|sales|contract|amend|contracts|claim|claims|position|report … (gridbook rps help)", "Renewables Portfolio Standard: the stateless calculator, eligibility, contracts, claims, the position and the annual report", runRPS},
		{"rec", "open|accounts|register|certify|facilities|report|import|issue|blocks|transfer|accept|reject|cancel|transfers|retire|retirements|export|withdraw|events|verify … (gridbook rec help)", "the renewable energy certificate registry", runRec},
		{"bill run", "--cycle YYYY-MM [--read-day N] [--resume RUN] [--enqueue] [--json]", "bill every account in service for a cycle as a durable, resumable job", runBillRun},
		{"bill runs", "[--limit N] [--json]", "list bill runs with their counts", runBillRuns},
		{"bill list", "--account NUMBER [--versions] [--json]", "list an account's stored bills", runBillList},
		{"bill show", "ID [--verify] [--json]", "show a stored bill: lines by ledger and bucket, balances, true-up, notes, inputs", runBillShow},
		{"bill seed-balance", "--account NUMBER --through DATE [--state FILE.json | --relevant-start DATE --bills N --balance-cents C [--minimum-paid-cents C] [--export-credits-cents C] [--acc-plus-cents C] [--cca-relevant-start DATE --cca-bills N --cca-balance-cents C]] [--json]", "seed the opening net-metering balances of an account migrated mid-Relevant-Period (audited; refused once it has bills)", runBillSeedBalance},
		{"savings calc", "--meter FILE --temperature FILE --blackout-start DATE --blackout-end DATE [--method caltrack-daily|caltrack-billing|caltrack-hourly|daily|billing] [--daily-legacy] [--exact-path] [--fuel electricity|gas] [--day-boundary utc|local] [--celsius] [--temperature-format csv|isd-lite] [--solar] [--max-p-value P] [--bimonthly-quirk] [--predictions FILE] [--json]", "fit a CalTRACK savings model from files alone (no database)", runSavingsCalc},
		{"incentive quote", "--program ID --facts FILE.json [--catalog FILE] [--json]", "decide a program for a facts file: eligibility, amount and trace (no database)", runIncentiveQuote},
		{"incentive programs", "[--catalog FILE] [--json]", "list the incentive program catalog", runIncentivePrograms},
		{"dr baseline", "--intervals FILE --event-start T --event-end T [--method caiso-10in10|caiso-4in4|pge-5of10|pge-3of5-weighted|highest-3of10] [--exclude DATE]... [--json]", "compute a participant's event baseline and reduction from an interval file (no database)", runDRBaseline},
		{"ev plan", "--tariff FILE [--code C]|--moer FILE --plug-in T --departure T --energy-kwh N|--battery-kwh N --soc P --target-soc P --max-kw N [--precondition D] [--continuous] [--json]", "plan one EV charge for least cost or least CO2 (no database)", runEVPlan},
		{"emissions equivalents", "--co2-lbs N [--factor epa|epa-unrounded] [--per N] [--json]", "restate pounds of CO2 as metric tons and tree seedlings", runEmissionsEquivalents},
		{"dr programs", "[--json]", "list the demand-response programs and their event rules", runDRPrograms},
		{"dr event schedule", "--program P [--track T] --start T --end T [--notice T] [--level 1-3] [--offset-f N] [--reason R] [--target-kw N [--soc PCT]] [--json]", "schedule an event after checking every rule of its program", runDREventSchedule},
		{"dr event list", "[--program P] [--status S] [--from DATE] [--to DATE] [--json]", "list demand-response events", runDREventList},
		{"dr event show", "ID [--json]", "show an event with its history and settlements", runDREventShow},
		{"dr event notify", "ID", "notify an event's participants (outbox: e-mail, SMS, devices, log)", runDREventMove("notify")},
		{"dr event cancel", "ID [--note N]", "cancel an event and tell those already notified", runDREventMove("cancel")},
		{"dr event advance", "", "move notified and active events along by the clock", runDREventAdvance},
		{"dr settle", "--event ID [--enqueue] [--json]", "settle every participant of a completed event as a durable job", runDRSettle},
		{"dr device add", "--account NUMBER --program P --type thermostat|ev_charger|battery|light_switch --serial S [--brand B] [--enrolled DATE] [--through DATE] [--capacity-kwh N --max-kw N --reserve-pct N] [--extra FACT]... [--json]", "register a participant's device and record the participation incentives it has earned", runDRDeviceAdd},
		{"dr pay", "[--program CODE] [--event ID] [--enqueue] [--json]", "pay open demand-response payables from the incentive budgets; a payment a budget cannot cover is refused naming the rule", runDRPay},
		{"dr payables", "[--program CODE] [--status payable|paid|refused] [--event ID] [--account ID] [--json]", "list demand-response payables with the budget payment or the refusal", runDRPayables},
		{"dr fleet dispatch", "--event ID --target-kw N [--soc PCT] [--json]", "share a storage event's discharge target among its batteries above each site's reserve and store the plan once (the VTN sends each share to its VEN)", runDRFleetDispatch},
		{"dr fleet show", "--event ID [--json]", "show a storage event's fleet plan with dispatched against delivered kWh from the VEN reports", runDRFleetShow},
		{"dr days", "[--program pmp] --from DATE --to DATE [--json]", "print a program's event-day calendar (the PMP days billing uses)", runDRDays},
		{"openadr client add", "--role ven|bl --name N [--id ID] [--json]", "provision an OpenADR 3.1 VTN client and print its secret once", runOpenADRClientAdd},
		{"openadr client revoke", "--client ID [--token T] [--json]", "revoke an OpenADR client's bearer tokens (one, or all) before they expire", runOpenADRClientRevoke},
		{"openadr client disable", "--client ID [--json]", "disable an OpenADR client: its tokens are revoked and it gets no new one", runOpenADRClientDisable},
		{"ev vehicle add", "--account NUMBER --name N --battery-kwh N --max-kw N [--make M] [--model M] [--charger C] [--enrolled DATE] [--json]", "enroll a vehicle in EV SmartCharge", runEVVehicleAdd},
		{"ev vehicle list", "[--account NUMBER] [--json]", "enrolled vehicles with their plan in force and OCPP charger status", runEVVehicleList},
		{"ev vehicle plan", "--vehicle ID --plug-in T --departure T --energy-kwh N|--soc P --target-soc P [--objective cost|emissions] [--signal NAME] [--precondition D] [--continuous] [--json]", "plan a vehicle's plug-in on its account's tariff or a stored signal and store it as its plan in force", runEVVehiclePlan},
		{"ev charger add", "--id IDENTITY [--vehicle ID] [--reset] [--json]", "register an OCPP charge point and print its Basic-auth password once", runEVChargerAdd},
		{"ev sessions import", "[--json] FILE...", "store charging-session telemetry (CSV: vehicle,plug_in,unplug,max_kw,start,end,energy_wh)", runEVSessionsImport},
		{"ev report", "--month YYYY-MM [--signal NAME] [--json]", "EV SmartCharge by vehicle and fleet: kWh, off-peak share, CO2 against unmanaged charging", runEVReport},
		{"emissions import", "--name N [--unit U] [--kind marginal|average] [--allow-gaps] [--json] FILE", "store an emission signal CSV (SGIP kg/kWh or WattTime lbs/MWh)", runEmissionsImport},
		{"savings meter", "--meter ID|SERIAL --blackout-start DATE --blackout-end DATE [--db DB] [--method caltrack-daily|caltrack-hourly|daily] [--daily-legacy] [--exact-path] [--fuel electricity|gas] [--solar] [--max-p-value P] [--predictions FILE] [--json]", "fit a CalTRACK savings model to a stored meter and its premise's weather station", runSavingsMeter},
		{"savings portfolio", "--program CODE [--db DB] [--method caltrack-daily|daily] [--blackout-days N] [--fuel electricity|gas] [--enqueue] [--json]", "evaluate every metered account enrolled in a program as a durable job", runSavingsPortfolio},
		{"savings runs", "[--db DB] [--json]", "list portfolio savings runs", runSavingsRuns},
		{"savings run", "ID [--db DB] [--json]", "show a portfolio savings run and its results by meter", runSavingsRun},
		{"costeff table", "[--file CSV] [--retail $/kWh] [--title T] [--json]", "cost per first-year kWh by program against the retail price (default: the seed's PG&E 2015 table)", runCosteffTable},
		{"costeff calc", "--claims FILE --discount RA --acc-version V (--avoided-elec $/kWh[,…] | --avoided-gas $/therm[,…]) [--programs FILE] [--quarterly R|exact|flexvalue] [--first-year Y] [--retail-elec R] [--retail-gas R] [--societal-discount R] [--export FILE] [--json]", "CPUC cost-effectiveness tests on claims in the CET's CEDARS layout (no database)", runCosteffCalc},
		{"her sample-size", "--mean KWH --sigma KWH [--mde F] [--alpha A] [--power P] [--json]", "homes per arm a home energy report trial needs", runHERSampleSize},
		{"her assign", "--file CSV [--seed N] [--out CSV]", "randomize accounts into report treatment and control, stratified by use deciles", runHERAssign},
		{"her evaluate", "--file CSV [--days N] [--uplift-share F --uplift-kwh K] [--json]", "balance, difference in differences and lagged-dependent estimates of a report program's savings", runHEREvaluate},
		{"case", "open|list|show|note|update|refer … (gridbook case help)", "Energy Team cases: an advisor's work with a customer, notes, recommendations and referrals to programs", runCase},
		{"estimate", "--account NUMBER [--db DB] [--grid-co2 LB/MWH] [--options OPT,…] [--json]", "the Energy Team plan: shadow bills on every schedule, electrification options on the account's own data, costs less rebates", runEstimate},
		{"weather import", "--station CODE [--db DB] [--name N] [--format csv|isd-lite] [--celsius] [--json] FILE...", "store hourly temperature (CSV or NOAA ISD-Lite) for a weather station", runWeatherImport},
		{"weather list", "[--db DB] [--json]", "list weather stations and the temperature stored for each", runWeatherList},
		{"incentive import-programs", "[--db DB] [--json] (FILE | --shipped)", "store a programs document (idempotent) with its budgets", runIncentiveImport},
		{"incentive report", "[--db DB] --program ID [--json]", "a program's figures: participants, paid, reserved, shares, budgets, burn-down", runIncentiveReport},
		{"incentive expire", "[--db DB] [--date DATE] [--json]", "expire lapsed reservations and coupons, releasing their funds to the waitlist", runIncentiveExpire},
		{"incentive power-share-enroll", "[--db DB] --capacity N [--risk FILE.csv] [--date DATE] [--json]", "enroll eligible accounts in Power Share by disconnection risk up to capacity", runPowerShareEnroll},
		{"incentive score-round", "--round FILE.json [--json]", "score an innovation-fund round: weighted scores, ranks and awards while the fund lasts (no database)", runScoreRound},
		{"incentive policy", "[--db DB] --program ID [--set POLICY=READING] [--json]", "a program's policies (open questions answered explicitly) and the reading in force; --set chooses one", runIncentivePolicy},
		{"incentive disbursement", "show|plan|attach|approve|pay … (gridbook incentive disbursement help)", "a grant's staged disbursement: tranches by milestone, evidence, approval and payment through the budget ledger", runDisbursement},
		{"import intervals", "[--db DB] [--meter ID|SERIAL] [--format auto|espi|sce-csv|pge-csv|plain-csv] [--json] FILE...", "import interval data (Green Button XML or CSV) for a meter", runImportIntervals},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches args to a command and maps its error to an exit code:
// 0 ok, 1 failure, 2 bad usage or input.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		return 0
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(e.stderr, "gridbook: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		usage(e.stderr)
		return 2
	}
	err := cmd.run(ctx, e, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "usage: gridbook %s %s\n", cmd.name, cmd.args)
		return 2
	}
	fmt.Fprintf(e.stderr, "gridbook %s: %s\n", cmd.name, describe(err))
	for _, f := range apperr.FieldsOf(err) {
		fmt.Fprintf(e.stderr, "  %s: %s\n", f.Field, f.Msg)
	}
	if apperr.KindOf(err) == apperr.Invalid {
		return 2
	}
	return 1
}

// describe renders an error for the operator: classified errors by their
// safe message, everything else in full (the operator owns the machine).
func describe(err error) string {
	if k := apperr.KindOf(err); k != apperr.Internal {
		return apperr.MessageOf(err)
	}
	return err.Error()
}

func lookup(args []string) (command, []string, bool) {
	cmds := commands()
	if len(args) >= 3 {
		for _, c := range cmds {
			if c.name == args[0]+" "+args[1]+" "+args[2] {
				return c, args[3:], true
			}
		}
	}
	if len(args) >= 2 {
		for _, c := range cmds {
			if c.name == args[0]+" "+args[1] {
				return c, args[2:], true
			}
		}
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c, args[1:], true
		}
	}
	return command{}, nil, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gridbook — customer programs and regulatory obligations for a California load-serving entity")
	fmt.Fprintln(w, "\nusage: gridbook <command> [flags]\n\ncommands:")
	cmds := commands()
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-17s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nEvery command takes --db (default ./gridbook.db, or $GRIDBOOK_DB; a postgres:// URL selects PostgreSQL).")
	fmt.Fprintln(w, "Run `gridbook <command> -h` for its flags.")
}

// newFlags returns a flag set for a command that writes its help to stderr
// and reports errors instead of exiting.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("gridbook "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// dbFlag registers --db with its default from $GRIDBOOK_DB.
func dbFlag(e *env, fs *flag.FlagSet, def string) *string {
	if v := e.getenv("GRIDBOOK_DB"); v != "" {
		def = v
	}
	return fs.String("db", def, "database: a SQLite file path or a postgres:// URL (default from $GRIDBOOK_DB)")
}

// parse parses flags, turning a flag error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	return store.Open(ctx, dsn)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
