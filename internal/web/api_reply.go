package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
)

// apiByID answers GET (or a bodiless POST) on a resource's {id}: what get
// returns for the case viewer, 200 as JSON. A malformed id is 404; toAPI
// turns get's error into the resource's (apiError, documentAPIError).
func apiByID[T any](s *Server, c *gin.Context, get func(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (T, error), toAPI func(error) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return apiAsViewer(s, c, http.StatusOK, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (T, error) {
		return get(ctx, tenant, id, v)
	}, toAPI)
}

// apiAsViewer answers status with what do returns, as JSON, for the
// request's case viewer in its ente; toAPI turns do's error into the
// resource's. Handlers read their path and body before calling it, so a
// malformed request is refused before the viewer is looked up.
func apiAsViewer[T any](s *Server, c *gin.Context, status int, do func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (T, error), toAPI func(error) error) error {
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	x, err := do(c.Request.Context(), currentTenant(c).ID, v)
	if err != nil {
		return toAPI(err)
	}
	c.JSON(status, x)
	return nil
}

// apiListByID answers GET on a list below a resource's {id} (a case's
// diary, an intervention's deliveries): what list returns for the case
// viewer, as apiItems. A malformed id is 404; list's errors go through
// apiError.
func apiListByID[T any](s *Server, c *gin.Context, list func(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) ([]T, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	xs, err := list(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return apiError(err)
	}
	apiItems(c, xs)
	return nil
}

// apiItems answers 200 with a list as {"items": [...]}: an empty one is [],
// never null.
func apiItems[T any](c *gin.Context, xs []T) {
	if xs == nil {
		xs = []T{}
	}
	c.JSON(http.StatusOK, gin.H{"items": xs})
}
