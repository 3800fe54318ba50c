package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestDatabaseOutageAnswers503 checks how an error from a database that is
// away is answered, as a page and as a problem, next to a genuine fault.
func TestDatabaseOutageAnswers503(t *testing.T) {
	away := fmt.Errorf("append to order-1: %w", &pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"})
	fault := fmt.Errorf("list orders: %w", &pgconn.PgError{Severity: "ERROR", Code: "42601", Message: "syntax error"})
	answer := func(err error, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/orders/x", nil)
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		fail(rec, req, err)
		return rec
	}

	page := answer(away, "text/html")
	if page.Code != http.StatusServiceUnavailable || page.Header().Get("Retry-After") == "" ||
		!strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") || !strings.Contains(page.Body.String(), "cannot reach its database") {
		t.Errorf("page while the database is away: %d, Retry-After %q, %s", page.Code, page.Header().Get("Retry-After"), page.Body)
	}
	problem := answer(away, "application/json")
	var p Problem
	if problem.Code != http.StatusServiceUnavailable || problem.Header().Get("Retry-After") == "" ||
		problem.Header().Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal(problem.Body.Bytes(), &p) != nil || p.Status != 503 || !strings.Contains(p.Detail, "cannot reach its database") {
		t.Errorf("problem while the database is away: %d, Retry-After %q, %s", problem.Code, problem.Header().Get("Retry-After"), problem.Body)
	}
	for _, accept := range []string{"text/html", "application/json"} {
		rec := answer(fault, accept)
		if rec.Code != http.StatusInternalServerError || rec.Header().Get("Retry-After") != "" || strings.Contains(rec.Body.String(), "syntax") {
			t.Errorf("a genuine fault (%s): %d, Retry-After %q, %s", accept, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
}
