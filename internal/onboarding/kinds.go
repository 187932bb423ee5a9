package onboarding

// formats are the columns of each kind of file (docs/import.md).
var formats = map[string][]column{
	KindPeople:        peopleFormat,
	KindHouseholds:    householdsFormat,
	KindCases:         casesFormat,
	KindInterventions: interventionsFormat,
	KindDeliveries:    deliveriesFormat,
}

// kinds are the kinds after people: each checks its rows, with the records
// of the earlier kinds they refer to, in the transaction that writes them.
var kinds = map[string]kindFunc{
	KindHouseholds:    importHouseholds,
	KindCases:         importCases,
	KindInterventions: importInterventions,
	KindDeliveries:    importDeliveries,
}
