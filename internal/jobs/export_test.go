package jobs

import "context"

// PurgeSent lets the tests run the relay's hourly purge.
func (r *Relay) PurgeSent(ctx context.Context) (int64, error) { return r.purgeSent(ctx) }
