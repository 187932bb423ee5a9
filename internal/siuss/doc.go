// Package siuss writes the SIUSS flows INPS polls from each ente (WaaS,
// ../shared/specs/waas; schemas in schema/): for every event of an
// intervention INPS must know, a PS_PSA_SINA flow (one beneficiary, one
// benefit, the SINA block when the case has an assessment of that person),
// and for a beneficiary under 18 on the event's day a SINBA flow too.
//
// Trigger: interventions.Service calls its EventHook (Service implements it)
// in the transaction of each change of state and edit, so that a flow is
// written if and only if the event is (internal/app injects it).
//
// Mapping of events (operation → TipoOperazione):
//   - approved/ranked → active: activation, I (DataInizioPrestazione);
//   - an edit of an active or suspended intervention: change, I (the whole
//     benefit again; the earlier flow gets superseded_by); when no flow had
//     been sent yet (data were missing) it is the activation;
//   - → closed: closure, I with DataFinePrestazione (the end date when it
//     precedes the closing day, else the closing day);
//   - → refused of an intervention already sent: cancellation, C (the
//     state machine refuses only before activation, so today this arises
//     only from a withdrawal recorded as such); SINBA has no cancellation;
//   - suspension and resumption: nothing.
//
// Choices: Ente Codice and Indirizzo are the ente's Belfiore code; an
// ambito without one (it may carry its lead comune's) gets no flow and
// Missing says so (ente.belfiore_code). CFOperatore is the tax code of the
// operator who made the event (operator.tax_code when absent). Amount quotes
// split the monthly amount (else the total) by the shares, the health
// service taking the rounding rest; OreServizioMensile is HH.MM; the
// Indirizzo is the residence (else the domicile) in Italy (380).
// IDBeneficiario of SINBA is BeneficiaryID, a per-ente pseudonym.
// Missing data (Missing, MissingFor) write no flow and are shown to the
// office; the correction goes out as a new flow on the next edit.
//
// id_flusso is EEEEE.TIPO.AAAAMMGG.NNNNNNN (Belfiore, PS or SINBA, the
// Europe/Rome day of ts_flusso, a per-ente daily counter shared by both
// kinds). ts_flusso has millisecond precision and is strictly increasing per
// ente: greatest(now, last + 1 ms) under the ente's siuss_clock row lock.
//
// Contract for the WaaS endpoints and the UI (other packages):
//   - List(ctx, tenant, Filter{State, Since (Unix ms, strictly after), Limit
//     (0 → 10, at most 100), InterventionID}) → flows oldest first by
//     ts_flusso; an empty slice when none.
//   - Get(ctx, tenant, idFlusso) → the flow, or ErrUnknownFlow (ErrNotFound).
//   - RecordOutcome(ctx, tenant, idFlusso, Outcome{Code, Description,
//     AcquisitionID, AcquiredAt}) → changed; OK → acquired, the other codes
//     (DATI_NON_TROVATI, RICHIESTA_INVALIDA, ERRORE_GENERICO) → rejected;
//     idempotent (the same outcome again: changed false, nothing written);
//     unknown flow ErrUnknownFlow, unknown code derrors.Invalid.
//   - MissingFor(ctx, tenant, interventionID) → what INPS requires that the
//     intervention's latest event lacks ([]derrors.FieldError).
//
// Flow.XML is the document; the WaaS layer base64-encodes it and formats
// ts_flusso as RFC 3339 with milliseconds.
package siuss
