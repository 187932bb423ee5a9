package app

import (
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/siuss"
)

// hookSIUSS makes its write the SIUSS flows of each intervention event in
// the event's transaction (siuss.Service is stateless: the WaaS endpoints
// use their own siuss.NewService(a.DB)).
func hookSIUSS(its *interventions.Service, d *db.DB) *interventions.Service {
	its.SetEventHook(siuss.NewService(d))
	return its
}
