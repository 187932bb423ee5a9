package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// List returns the events of tenant's trail that match f, newest first. tx must
// be in tenant's scope.
func List(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, f Filter) ([]Record, error) {
	rs, err := list(ctx, tx, tenantTrail(tenant), f)
	if err != nil {
		return nil, fmt.Errorf("audit.List(%s): %w", tenant, err)
	}
	return rs, nil
}

// ListConsole returns the events of a console's trail (region "" = platform)
// that match f, newest first.
func ListConsole(ctx context.Context, tx pgx.Tx, region string, f Filter) ([]Record, error) {
	rs, err := list(ctx, tx, consoleTrail(region), f)
	if err != nil {
		return nil, fmt.Errorf("audit.ListConsole(%q): %w", region, err)
	}
	return rs, nil
}

func list(ctx context.Context, tx pgx.Tx, t trail, f Filter) ([]Record, error) {
	where := []string{t.keyColumn + " = $1"}
	args := []any{t.key}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.ActorID != uuid.Nil {
		add("actor_id = ?", f.ActorID)
	}
	if f.Actor != "" {
		add("strpos(lower(actor), lower(?)) > 0", f.Actor)
	}
	if f.ActionPrefix != "" {
		add("starts_with(action, ?)", f.ActionPrefix)
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	args = append(args, limit)
	rows, err := tx.Query(ctx, `SELECT seq, at, actor_id, actor, action, object_type, object_id, host(ip), details
		FROM `+t.table+` WHERE `+strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var (
			r       Record
			actorID *uuid.UUID
			ip      *string
			details []byte
		)
		err := row.Scan(&r.Seq, &r.At, &actorID, &r.Actor, &r.Action, &r.ObjectType, &r.ObjectID, &ip, &details)
		if err != nil {
			return r, err
		}
		if actorID != nil {
			r.ActorID = *actorID
		}
		if ip != nil {
			r.IP = *ip
		}
		if err := json.Unmarshal(details, &r.Details); err != nil {
			return r, fmt.Errorf("seq %d: details: %w", r.Seq, err)
		}
		return r, nil
	})
}
