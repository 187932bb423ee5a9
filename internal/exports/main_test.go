package exports

import (
	"testing"

	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }
