package portal

// FastCustom is fastCustom, for the tests: whether the stores' form is
// decoded without json.Unmarshal.
var FastCustom = fastCustom
