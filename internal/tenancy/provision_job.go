package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/istat"
)

// This file holds the regional console's provisioning job: what it is asked,
// how it checks the request stays inside its region, and the progress it
// leaves in Redis for the console to poll.

// TaskProvision is the type of the console job that provisions comuni of one
// region.
const TaskProvision = "region:provision"

// provisionTTL is how long a job's progress stays readable.
const provisionTTL = 24 * time.Hour

// ProvisionRequest is what a regional console asks to provision: a whole
// province, or comuni by ISTAT code; all of them must be of Region.
type ProvisionRequest struct {
	Region   string   `json:"region"`
	Province string   `json:"province,omitempty"` // abbreviation, e.g. RM
	Comuni   []string `json:"comuni,omitempty"`   // ISTAT codes
}

// ComuniOf returns the comuni r names. A province or comune that is not of
// r.Region is ErrInvalid with a FieldError on "province" or "comune": a
// region provisions its own comuni only.
func (r ProvisionRequest) ComuniOf() ([]istat.Comune, error) {
	if !regionCode.MatchString(r.Region) {
		return nil, fmt.Errorf("tenancy.ProvisionRequest.ComuniOf(%s): %w", r.Region,
			fmt.Errorf("%w: %w", &FieldError{Path: "region", Message: "regione non valida"}, ErrInvalid))
	}
	var out []istat.Comune
	if r.Province != "" {
		out = istat.Filter(r.Region, r.Province)
		if len(out) == 0 {
			return nil, fmt.Errorf("tenancy.ProvisionRequest.ComuniOf(%s, %s): %w", r.Region, r.Province,
				fmt.Errorf("%w: %w", &FieldError{Path: "province", Message: "provincia non appartenente alla regione"}, ErrInvalid))
		}
	}
	for _, code := range r.Comuni {
		c, ok := istat.ByCode(code)
		if !ok || c.RegionCode != r.Region {
			return nil, fmt.Errorf("tenancy.ProvisionRequest.ComuniOf(%s, %s): %w", r.Region, code,
				fmt.Errorf("%w: %w", &FieldError{Path: "comune", Message: "comune non appartenente alla regione"}, ErrInvalid))
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tenancy.ProvisionRequest.ComuniOf(%s): %w", r.Region,
			fmt.Errorf("%w: %w", &FieldError{Path: "comune", Message: "scegliere un comune"}, ErrInvalid))
	}
	return out, nil
}

// ProvisionProgress is how far a provisioning job got.
type ProvisionProgress struct {
	Region   string `json:"region"`
	Province string `json:"province,omitempty"`
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Started  bool   `json:"started"`
	Finished bool   `json:"finished"`
	Failed   bool   `json:"failed"` // the last attempt failed; the job may be retried
	Created  int    `json:"created"`
	Existing int    `json:"existing"`
}

// ProvisionTracker keeps the progress of provisioning jobs in Redis under
// sigess:provision:{job id}, for a day.
type ProvisionTracker struct {
	RDB *redis.Client
}

func (t ProvisionTracker) key(id string) string { return "sigess:provision:" + id }

// Queued records a job just enqueued, unless the job has reported already.
func (t ProvisionTracker) Queued(ctx context.Context, id string, p ProvisionProgress) error {
	b, _ := json.Marshal(p)
	if err := t.RDB.SetNX(ctx, t.key(id), b, provisionTTL).Err(); err != nil {
		return fmt.Errorf("tenancy.ProvisionTracker.Queued(%s): %w", id, err)
	}
	return nil
}

// Save records p as the job's progress.
func (t ProvisionTracker) Save(ctx context.Context, id string, p ProvisionProgress) error {
	b, _ := json.Marshal(p)
	if err := t.RDB.Set(ctx, t.key(id), b, provisionTTL).Err(); err != nil {
		return fmt.Errorf("tenancy.ProvisionTracker.Save(%s): %w", id, err)
	}
	return nil
}

// Get returns the job's progress, or ErrNotFound (unknown or expired job).
func (t ProvisionTracker) Get(ctx context.Context, id string) (*ProvisionProgress, error) {
	b, err := t.RDB.Get(ctx, t.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("tenancy.ProvisionTracker.Get(%s): %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy.ProvisionTracker.Get(%s): %w", id, err)
	}
	var p ProvisionProgress
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("tenancy.ProvisionTracker.Get(%s): %w", id, err)
	}
	return &p, nil
}

// RunProvision does the work of job id: it checks req again (a job is only
// as trustworthy as whoever could enqueue it), provisions its comuni and
// reports progress through tr. Running it twice provisions nothing twice.
// An invalid request is ErrInvalid and is recorded as failed.
func (s *Service) RunProvision(ctx context.Context, tr ProvisionTracker, id string, req ProvisionRequest) (ProvisionResult, error) {
	p := ProvisionProgress{Region: req.Region, Province: strings.ToUpper(req.Province), Started: true}
	comuni, err := req.ComuniOf()
	if err != nil {
		p.Failed, p.Finished = true, true
		_ = tr.Save(ctx, id, p)
		return ProvisionResult{}, fmt.Errorf("tenancy.RunProvision(%s): %w", id, err)
	}
	p.Total = len(comuni)
	if err := tr.Save(ctx, id, p); err != nil {
		return ProvisionResult{}, err
	}
	res, err := s.ProvisionISTAT(ctx, comuni, func(done, total int) {
		p.Done, p.Total = done, total
		_ = tr.Save(ctx, id, p) // progress is a courtesy; the final Save below matters
	})
	if err != nil {
		p.Failed = true
		_ = tr.Save(ctx, id, p)
		return res, fmt.Errorf("tenancy.RunProvision(%s): %w", id, err)
	}
	p.Done, p.Finished, p.Failed, p.Created, p.Existing = p.Total, true, false, res.Created, res.Existing
	return res, tr.Save(ctx, id, p)
}
