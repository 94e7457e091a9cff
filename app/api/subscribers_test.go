package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// subscriberView is a subscriber's JSON.
type subscriberView struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Address     string     `json:"address"`
	HasSecret   bool       `json:"has_secret"`
	Confirmed   bool       `json:"confirmed"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
}

func TestSubscribersAPI(t *testing.T) {
	e := newEnv(t)
	pg := e.createPage(`{"slug": "acme", "title": "Acme", "components": [{"name": "Web"}]}`)
	base := "/api/v1/pages/" + strconv.FormatInt(pg.ID, 10) + "/subscribers"

	var hook, imported, pending subscriberView
	a := e.json("POST", base, e.write, `{"kind": "webhook", "address": "https://hooks.example.com/in", "secret": "k3y"}`, http.StatusCreated, &hook)
	if !hook.Confirmed || !hook.HasSecret || hook.Kind != "webhook" || strings.Contains(a.Body, "k3y") || strings.Contains(a.Body, `"secret"`) ||
		a.Header.Get("Location") != base+"/"+strconv.FormatInt(hook.ID, 10) {
		t.Errorf("webhook subscriber %s (Location %q)", a.Body, a.Header.Get("Location"))
	}
	e.json("POST", base, e.write, `{"address": "Ann@Example.com", "confirmed": true}`, http.StatusCreated, &imported)
	if !imported.Confirmed || imported.ConfirmedAt == nil || imported.Address != "ann@example.com" || imported.Kind != "email" {
		t.Errorf("imported subscriber %+v", imported)
	}
	e.json("POST", base, e.write, `{"address": "bob@example.com"}`, http.StatusCreated, &pending)
	if pending.Confirmed || pending.ConfirmedAt != nil {
		t.Errorf("e-mail subscriber confirmed without its link: %+v", pending)
	}
	// It waits for its confirmation mail: the request is in the queue.
	due, err := e.st.DueSubscriberNotices(context.Background(), time.Now(), 10, 10)
	if err != nil || len(due) != 1 || due[0].Subscriber.ID != pending.ID || due[0].Notice.Event != "subscription.confirm" {
		t.Errorf("queued %+v, %v", due, err)
	}

	e.fails("POST", base, e.write, `{"address": "ann@example.com"}`, http.StatusUnprocessableEntity, "validation_failed", "address")
	e.fails("POST", base, e.write, `{"kind": "webhook", "address": "ftp://x"}`, http.StatusUnprocessableEntity, "validation_failed", "address")
	e.fails("POST", base, e.write, `{"address": "a@example.com", "secret": "x"}`, http.StatusUnprocessableEntity, "validation_failed", "secret")
	e.fails("POST", base, e.write, `{"kind": "sms", "address": "1"}`, http.StatusUnprocessableEntity, "validation_failed", "kind")
	e.fails("POST", base, e.read, `{"address": "c@example.com"}`, http.StatusForbidden, "insufficient_scope", "")

	var list pageOf[subscriberView]
	e.json("GET", base+"?limit=2", e.read, "", http.StatusOK, &list)
	if len(list.Items) != 2 || list.NextCursor == nil || list.Items[0].ID != hook.ID {
		t.Fatalf("first page %+v", list)
	}
	e.json("GET", base+"?limit=2&cursor="+*list.NextCursor, e.read, "", http.StatusOK, &list)
	if len(list.Items) != 1 || list.NextCursor != nil || list.Items[0].ID != pending.ID {
		t.Errorf("second page %+v", list)
	}

	other := e.otherOrg()
	e.fails("GET", base, other, "", http.StatusNotFound, "not_found", "")
	e.fails("DELETE", base+"/"+strconv.FormatInt(hook.ID, 10), other, "", http.StatusNotFound, "not_found", "")
	if a := e.do("DELETE", base+"/"+strconv.FormatInt(hook.ID, 10), e.write, ""); a.Status != http.StatusNoContent {
		t.Errorf("delete: %d %s", a.Status, a.Body)
	}
	e.fails("DELETE", base+"/"+strconv.FormatInt(hook.ID, 10), e.write, "", http.StatusNotFound, "not_found", "")
	e.fails("GET", "/api/v1/pages/999/subscribers", e.read, "", http.StatusNotFound, "not_found", "")
}
