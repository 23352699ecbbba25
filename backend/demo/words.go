package demo

import (
	"strings"
	"sync"
)

// The word lists below are the raw material of names, domains and text.
// Their order matters: changing a list changes every generated dataset.

// firstNames are users' given names. Alice, Bob and Carol are missing on
// purpose: they belong to the fixed users only, so their e-mail addresses
// are never shared with a generated user.
var firstNames = []string{
	"Élodie", "José", "Zoë", "Søren", "Łukasz", "François", "Chloé", "Renée",
	"Björn", "Ingrid", "Mateo", "Lucía", "Sofía", "Camille", "Léa", "Hugo",
	"Noémie", "Jürgen", "Katarzyna", "Małgorzata", "Agnieszka", "Piotr",
	"Tomás", "João", "Inês", "Gonçalo", "Maëlle", "Anaïs", "Raphaël", "Jérôme",
	"Hélène", "Ángel", "Álvaro", "Núria", "Jordi", "Aoife", "Siobhán", "Seán",
	"Niamh", "Olumide", "Chinedu", "Amara", "Kwame", "Ama", "Fatima",
	"Youssef", "Omar", "Leila", "Amir", "Priya", "Arjun", "Rohan", "Ananya",
	"Deepak", "Wei", "Mei", "Jun", "Hiroshi", "Yuki", "Haruto", "Sakura",
	"Min-jun", "Ji-woo", "Seo-yeon", "Linh", "Minh", "Thảo", "Emma", "Liam",
	"Olivia", "Noah", "Ava", "Ethan", "Mia", "Lucas", "Isabella", "Mason",
	"Sophia", "James", "Charlotte", "Benjamin", "Amelia", "Daniel", "Harper",
	"Henry", "Grace", "Samuel", "Ella", "David", "Hannah", "Michael", "Sarah",
	"Laura", "Thomas", "Julia", "Max", "Lena", "Felix", "Anna", "Jonas",
	"Clara", "Elias", "Freya", "Astrid", "Magnus", "Sigrid", "Mikael", "Aino",
	"Eero", "Dmitri", "Olga", "Ivan", "Tatiana", "Giulia", "Marco",
	"Francesca", "Luca", "Chiara", "Matteo", "Kofi", "Zanele", "Thabo",
	"Ayşe", "Mehmet", "Çağla", "Elif", "Diego", "Valentina", "Camila",
	"Santiago", "Gabriel", "Isabel", "Rafael", "Beatriz", "Oksana", "Nikos",
	"Eleni", "Rachel", "Ben", "Ruth", "Kai", "Leilani", "Tane", "Aroha",
}

// lastNames are users' family names.
var lastNames = []string{
	"Müller", "Sánchez", "García", "Martínez", "López", "González", "Pérez",
	"Rodríguez", "Fernández", "Gómez", "Núñez", "Dubois", "Lefèvre", "Moreau",
	"Bernard", "Girard", "Rousseau", "Laurent", "Faure", "Mercier", "Schmidt",
	"Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schäfer",
	"Köhler", "Groß", "Jensen", "Nielsen", "Hansen", "Pedersen",
	"Søndergaard", "Andersson", "Johansson", "Lindqvist", "Åberg", "Nyström",
	"Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Dąbrowski",
	"Novák", "Dvořák", "Horváth", "Nagy", "Kovács", "Rossi", "Russo",
	"Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Silva",
	"Santos", "Oliveira", "Costa", "Pereira", "Ferreira", "Murphy", "O'Brien",
	"O'Connor", "Kelly", "Walsh", "Smith", "Johnson", "Williams", "Brown",
	"Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas",
	"Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall",
	"Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
	"Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
	"Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Okafor",
	"Adeyemi", "Mensah", "Nkosi", "Diallo", "Traoré", "Haddad", "Khalil",
	"Rahman", "Hussain", "Khan", "Patel", "Sharma", "Gupta", "Singh", "Iyer",
	"Reddy", "Wang", "Li", "Zhang", "Liu", "Yang", "Huang", "Zhao", "Wu",
	"Zhou", "Chen", "Nakamura", "Tanaka", "Suzuki", "Watanabe", "Yamamoto",
	"Sato", "Kim", "Park", "Lee", "Choi", "Jung", "Nguyen", "Tran", "Pham",
	"Hoang", "Yılmaz", "Öztürk", "Demir", "Şahin", "Çelik", "Ivanov",
	"Petrov", "Smirnov", "Popescu", "Ionescu", "van der Berg", "van Dijk",
	"de Jong", "Janssen", "Bakker", "Visser", "Peeters", "Virtanen",
	"Korhonen", "Mäkinen", "Papadopoulos", "Georgiou", "Cohen", "Levi",
	"Friedman", "Ramírez", "Torres", "Flores", "Rivera", "Castillo", "Ortiz",
	"Morales", "Herrera", "Medina", "Vargas", "Castro", "Romero", "Ruiz",
	"Jiménez", "Álvarez", "Moreno", "Muñoz", "Martin", "Diaz", "Ngata",
}

// namedUser is one of the fixed, memorable users at the start of the list.
type namedUser struct {
	first, last string
	local       string // e-mail local part
	companies   []int  // company indexes, the first gives the e-mail domain
	department  string
	isAdmin     bool
	seats       int // 0: unset
	createdDays int // days before Now
	seenHours   int // hours before Now
}

var namedUsers = []namedUser{
	{first: "Alice", last: "Martin", local: "alice.martin", companies: []int{0},
		department: "Engineering", isAdmin: true, seats: 25, createdDays: 1090, seenHours: 2},
	{first: "Bob", last: "Chen", local: "bob.chen", companies: []int{0},
		department: "Finance", createdDays: 1070, seenHours: 75},
	{first: "Carol", last: "Díaz", local: "carol.diaz", companies: []int{1, 0},
		department: "Operations", isAdmin: true, seats: 10, createdDays: 1040, seenHours: 480},
}

// freeMailDomains are the domains of users without a company.
var freeMailDomains = []string{
	"gmail.com", "gmail.com", "gmail.com", "outlook.com", "outlook.com",
	"yahoo.com", "hotmail.com", "icloud.com", "proton.me", "gmx.de",
	"web.de", "orange.fr", "hotmail.fr", "libero.it", "yandex.ru",
}

var departments = []string{
	"Engineering", "Engineering", "Finance", "Operations", "Support",
	"Sales", "Marketing", "IT", "IT", "HR", "Legal", "Product", "Procurement",
}

// famousCompany is one of the fixed companies at the start of the list.
type famousCompany struct {
	name, domain string
	industry     string
	region       string // "" to draw one
}

// famousCompanies come first, in this order; the first three also have
// fixed attributes (see fixedCompanies).
var famousCompanies = []famousCompany{
	{"Examply", "examply.com", "Software", ""},
	{"Globex", "globex.io", "Manufacturing", ""},
	{"Initech", "initech.com", "Software", ""},
	{"Northwind", "northwind.co", "Food & Beverage", ""},
	{"Brightline Logistics", "brightline-logistics.com", "Logistics", ""},
	{"Hooli", "hooli.io", "Software", ""},
	{"Café Lumière", "cafe-lumiere.fr", "Food & Beverage", "EMEA"},
	{"Vandelay Industries", "vandelay.com", "Manufacturing", ""},
	{"Søndergaard & Co", "sondergaard.dk", "Consulting", "EMEA"},
	{"Pied Piper", "piedpiper.com", "Software", ""},
	{"Contoso", "contoso.com", "Software", ""},
	{"Fabrikam", "fabrikam.com", "Manufacturing", ""},
	{"Tailspin Toys", "tailspintoys.com", "Retail", ""},
	{"Wide World Importers", "wideworldimporters.com", "Retail", ""},
	{"Zürich Data Works", "zurichdataworks.ch", "Financial Services", "EMEA"},
	{"Massive Dynamic", "massivedynamic.com", "Biotech", ""},
	{"Soylent", "soylent.co", "Food & Beverage", ""},
	{"Dunder Mifflin", "dundermifflin.com", "Retail", ""},
	{"Umbrella Health", "umbrella-health.com", "Healthcare", ""},
	{"Kraków Robotics", "krakow-robotics.pl", "Manufacturing", "EMEA"},
}

// brandPrefixes and brandSuffixes make generated brand names ("Silverline",
// "Oakforge"). A compound equal to a famous company's first word is
// skipped.
var brandPrefixes = []string{
	"North", "South", "East", "West", "Bright", "Blue", "Silver", "Golden",
	"Iron", "Clear", "Swift", "Green", "Red", "Stone", "Oak", "Maple", "River",
	"Summit", "Cloud", "Star", "Sun", "Moon", "Nova", "Apex", "Vertex",
	"Quanta", "Hyper", "Omni", "Pixel", "Data", "Cyber", "Terra", "Aqua",
	"Crystal", "Falcon", "Eagle", "Fox", "Wolf", "Bear", "Lion", "Harbor",
	"Bay", "Cedar", "Pine", "Willow", "Birch", "Aspen", "Ember", "Flint",
	"Granite", "Copper", "Cobalt", "Indigo", "Amber", "Jade", "Coral",
	"Arrow", "Beacon", "Signal", "Vector", "Atlas", "Orbit", "Zenith",
	"Polar", "Lumen", "Echo", "Ridge", "Meadow", "Frost", "Storm", "Rapid",
	"True", "Prime", "Black", "White", "Sky", "Sea", "Fern",
}

var brandSuffixes = []string{
	"line", "wind", "field", "gate", "bridge", "works", "ware", "point",
	"stack", "forge", "wave", "path", "port", "view", "crest", "stone",
	"brook", "dale", "well", "mark", "light", "shift", "scale", "sync",
	"flow", "base", "cast", "craft", "hub", "leaf", "loop", "mill", "nest",
	"rock", "side", "spark", "tide", "vale", "wood", "yard", "bit", "logic",
	"sphere", "beam",
}

// descriptor is the optional second word of a generated company name and
// the industry it implies ("" for none).
type descriptor struct{ word, industry string }

var descriptors = []descriptor{
	{"", ""},
	{"Logistics", "Logistics"}, {"Labs", "Software"}, {"Systems", "Software"},
	{"Analytics", "Software"}, {"Health", "Healthcare"}, {"Foods", "Food & Beverage"},
	{"Media", "Media"}, {"Capital", "Financial Services"}, {"Robotics", "Manufacturing"},
	{"Software", "Software"}, {"Studios", "Media"}, {"Energy", "Energy"},
	{"Partners", "Consulting"}, {"Consulting", "Consulting"}, {"Retail", "Retail"},
	{"Motors", "Automotive"}, {"Insurance", "Insurance"}, {"Learning", "Education"},
	{"Travel", "Travel & Hospitality"}, {"Security", "Software"}, {"Bio", "Biotech"},
	{"Networks", "Telecommunications"}, {"Group", ""}, {"Technologies", "Software"},
	{"Dynamics", ""}, {"Solutions", ""}, {"Properties", "Real Estate"},
	{"Legal", "Legal"}, {"Games", "Gaming"},
}

var industries = []string{
	"Software", "Software", "Software", "Logistics", "Healthcare",
	"Financial Services", "Retail", "Education", "Manufacturing", "Media",
	"Travel & Hospitality", "Real Estate", "Energy", "Telecommunications",
	"Non-profit", "Food & Beverage", "Automotive", "Consulting", "Insurance",
	"Legal", "Gaming", "Biotech",
}

// roundZeroTLDs are the top-level domains of the first round of generated
// names, with repeats for weight. Later rounds use legalSuffixes, whose
// domains never end like these, so no two companies share a domain.
var roundZeroTLDs = []string{
	"com", "com", "com", "com", "com", "com", "com", "com", "com", "com", "com",
	"io", "io", "io", "co", "co", "ai", "net", "dev", "app",
}

// legalSuffix distinguishes later rounds of generated company names.
type legalSuffix struct{ name, tld, region string }

var legalSuffixes = []legalSuffix{
	{" GmbH", "de", "EMEA"}, {" Ltd", "co.uk", "EMEA"}, {" SAS", "fr", "EMEA"},
	{" BV", "nl", "EMEA"}, {" AB", "se", "EMEA"}, {" Oy", "fi", "EMEA"},
	{" AG", "ch", "EMEA"}, {" S.L.", "es", "EMEA"}, {" Pty Ltd", "com.au", "APAC"},
	{" K.K.", "jp", "APAC"}, {" ApS", "dk", "EMEA"}, {" S.r.l.", "it", "EMEA"},
	{" Lda", "pt", "EMEA"}, {" Inc.", "ca", "AMER"}, {" Pte Ltd", "sg", "APAC"},
	{" Ltda", "com.br", "AMER"}, {" S.A. de C.V.", "mx", "AMER"},
}

// Plans, with the share of companies on each (percent, cumulative below).
var plans = []string{"Starter", "Pro", "Premium", "Enterprise"}
var planCumulative = []int{45, 75, 90, 100}

// admin is a support agent.
type admin struct {
	id, name, first string
	index           int
}

var admins = func() []admin {
	list := []struct{ id, name string }{
		{"5017691", "Maya Lindström"}, {"5017692", "Tom Becker"},
		{"5017693", "Inès Haddad"}, {"5017694", "Kenji Mori"},
		{"5017695", "Sam Okoye"}, {"5017696", "Lucía Ferreira"},
		{"5017697", "Oskar Nilsson"}, {"5017698", "Priya Raman"},
		{"5017699", "Dan Fitzgerald"}, {"5017700", "Chloé Martin"},
		{"5017701", "Nadia Petrova"}, {"5017702", "Jamal Carter"},
	}
	out := make([]admin, len(list))
	for i, a := range list {
		first, _, _ := strings.Cut(a.name, " ")
		out[i] = admin{id: a.id, name: a.name, first: first, index: i}
	}
	return out
}()

// asciiFold maps the letters of the lists above to plain ASCII for e-mail
// addresses and domains; it also drops apostrophes and spaces.
var asciiFold = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ą': "a", 'ả': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ę': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ı': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'ő': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u",
	'ç': "c", 'č': "c", 'ć': "c", 'ñ': "n", 'ń': "n", 'ł': "l", 'ś': "s",
	'š': "s", 'ş': "s", 'ž': "z", 'ź': "z", 'ż': "z", 'ř': "r", 'ğ': "g",
	'ß': "ss", 'æ': "ae", 'œ': "oe",
	'\'': "", ' ': "", '&': "",
}

// fold returns s in lower-case ASCII for an e-mail local part or a domain:
// "Élodie" → "elodie", "O'Brien" → "obrien", "van Dijk" → "vandijk".
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if rep, ok := asciiFold[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wordLists are the lists derived from the ones above: the folded
// names and the generated brand words.
type wordLists struct {
	firstFolded, lastFolded []string
	// brands are the generated brand words, from the prefixes and
	// suffixes: unique, and never the first word of a famous company.
	brands, brandsFolded []string
}

// words returns the derived lists, made at the first demo build rather
// than when the package starts: every command of the binary starts this
// package, and making them costs thousands of allocations (about 5 ms of
// each one-shot command's start-up).
var words = sync.OnceValue(func() *wordLists {
	w := &wordLists{firstFolded: foldAll(firstNames), lastFolded: foldAll(lastNames)}
	taken := map[string]bool{}
	for _, c := range famousCompanies {
		first, _, _ := strings.Cut(c.name, " ")
		taken[fold(first)] = true
	}
	for _, p := range brandPrefixes {
		for _, s := range brandSuffixes {
			if strings.EqualFold(p, s) {
				continue
			}
			b := p + s
			f := fold(b)
			if taken[f] {
				continue
			}
			taken[f] = true
			w.brands = append(w.brands, b)
			w.brandsFolded = append(w.brandsFolded, f)
		}
	}
	return w
})

func foldAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fold(s)
	}
	return out
}
