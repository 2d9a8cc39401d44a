package store_test

import (
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

func TestConformanceSQLite(t *testing.T) { storetest.Run(t, storetest.SQLite()) }

func TestConformancePostgres(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, storetest.Postgres())
}
