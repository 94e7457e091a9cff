package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
)

// dueBy lists the due notices by subscriber id.
func dueBy(t *testing.T, s *Store, at time.Time) map[int64][]subscriber.Delivery {
	t.Helper()
	due, err := s.DueSubscriberNotices(context.Background(), at, 100, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]subscriber.Delivery{}
	for _, d := range due {
		out[d.Subscriber.ID] = append(out[d.Subscriber.ID], d)
	}
	return out
}

// deliverAll records every due notice as delivered.
func deliverAll(t *testing.T, s *Store, at time.Time) {
	t.Helper()
	for _, ds := range dueBy(t, s, at) {
		for _, d := range ds {
			if err := s.RecordSubscriberAttempt(context.Background(), d.ID, alert.Attempt{At: at, OK: true}, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestSubscribersLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	other := testOrg(t, s, "b")
	api := createMonitor(t, s, httpMonitor(org, "api-internal"))
	p, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: org, Slug: "acme", Title: "Acme", Public: true, Locale: "fr",
		Components: []statuspage.Component{{Name: "Website"}, {Name: "API", MonitorID: api.ID}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	web, apiComp := p.Components[0].ID, p.Components[1].ID
	unrelated, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: org, Slug: "other", Title: "Other", Public: true,
		Components: []statuspage.Component{{Name: "Elsewhere"}}}, t0)
	if err != nil {
		t.Fatal(err)
	}

	// Refusals, and another organization's page is not found.
	if _, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: "not an address"}, t0); !errors.As(err, new(*subscriber.Error)) {
		t.Errorf("bad address: %v", err)
	}
	if _, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: other, PageID: p.ID, Address: "x@example.com"}, t0); err != ErrNotFound {
		t.Errorf("other org's page: %v", err)
	}

	// Subscribing queues one confirmation request; again at once queues none.
	queued, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: " Alice@Example.com "}, t0)
	if err != nil || !queued {
		t.Fatalf("subscribe: %v, %v", queued, err)
	}
	if queued, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: "alice@example.com"}, t0.Add(time.Minute)); err != nil || queued {
		t.Errorf("subscribe again at once: %v, %v", queued, err)
	}
	due := dueBy(t, s, t0.Add(time.Minute))
	if len(due) != 1 {
		t.Fatalf("due %v", due)
	}
	var alice subscriber.Subscriber
	for _, ds := range due {
		d := ds[0]
		alice = d.Subscriber
		if len(ds) != 1 || d.Notice.Event != subscriber.EventConfirm || d.Notice.Page.Slug != "acme" || d.Notice.Page.Locale != "fr" ||
			alice.Address != "alice@example.com" || alice.Confirmed() || d.Notice.IdempotencyKey == "" {
			t.Fatalf("confirmation %+v", ds)
		}
	}
	deliverAll(t, s, t0.Add(time.Minute))
	if queued, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: "alice@example.com"}, t0.Add(time.Hour)); err != nil || !queued {
		t.Errorf("subscribe again later: %v, %v", queued, err)
	}
	deliverAll(t, s, t0.Add(time.Hour))

	// An incident tells only confirmed subscribers of the pages showing it.
	if _, err := s.DeclareIncident(ctx, org, incident.Draft{Title: "Slow", Impact: incident.ImpactMinor, Status: incident.UpdateInvestigating,
		Message: "Looking", ComponentIDs: []int64{web}}, "ops", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if due := dueBy(t, s, t0.Add(2*time.Hour)); len(due) != 0 {
		t.Errorf("pending subscriber notified: %v", due)
	}

	// Confirming takes a token issued for one of its mails.
	if _, err := s.ConfirmSubscriber(ctx, p.ID, subscriber.HashToken("forged"), t0); err != ErrNotFound {
		t.Errorf("forged token: %v", err)
	}
	token, hash := subscriber.NewToken()
	if err := s.IssueSubscriberToken(ctx, alice.ID, hash, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmSubscriber(ctx, unrelated.ID, subscriber.HashToken(token), t0); err != ErrNotFound {
		t.Errorf("token of another page: %v", err)
	}
	got, err := s.ConfirmSubscriber(ctx, p.ID, subscriber.HashToken(token), t0.Add(3*time.Hour))
	if err != nil || !got.ConfirmedAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("confirm: %+v, %v", got, err)
	}
	if got, err := s.ConfirmSubscriber(ctx, p.ID, hash, t0.Add(4*time.Hour)); err != nil || !got.ConfirmedAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("confirm twice: %+v, %v", got, err)
	}
	hook, err := s.AddSubscriber(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Kind: subscriber.KindWebhook,
		Address: "https://hooks.example.com/x", Secret: "s3cret"}, false, t0.Add(3*time.Hour))
	if err != nil || !hook.Confirmed() || hook.Secret != "s3cret" {
		t.Fatalf("webhook subscriber: %+v, %v", hook, err)
	}
	if _, err := s.AddSubscriber(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Kind: subscriber.KindEmail,
		Address: "ALICE@example.com"}, true, t0); !errors.As(err, new(*subscriber.Error)) {
		t.Errorf("duplicate: %v", err)
	}
	bob, err := s.AddSubscriber(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Kind: subscriber.KindEmail,
		Address: "bob@example.com"}, true, t0.Add(3*time.Hour))
	if err != nil || !bob.Confirmed() {
		t.Fatalf("imported subscriber: %+v, %v", bob, err)
	}
	if due := dueBy(t, s, t0.Add(3*time.Hour)); len(due) != 0 {
		t.Errorf("confirmed import or webhook got a confirmation request: %v", due)
	}
	counts, err := s.SubscriberCounts(ctx, org)
	if err != nil || counts[p.ID] != (subscriber.Counts{EmailConfirmed: 2, Webhooks: 1}) || counts[unrelated.ID].Confirmed() != 0 {
		t.Errorf("counts %+v, %v", counts, err)
	}

	// Update, then resolve without a word: the automatic closing update is told too.
	list, err := s.Incidents(ctx, org, incident.Filter{}, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents %v, %v", list, err)
	}
	id := list[0].ID
	if err := s.PostIncidentUpdate(ctx, org, id, incident.Change{Status: incident.UpdateIdentified, Message: "Found it",
		ComponentIDs: []int64{web, apiComp}}, "ops", t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveIncident(ctx, org, id, "ops", t0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	due = dueBy(t, s, t0.Add(5*time.Hour))
	for _, sid := range []int64{alice.ID, bob.ID, hook.ID} {
		ds := due[sid]
		if len(ds) != 2 || ds[0].Notice.Incident.Status != "identified" || ds[1].Notice.Incident.Status != "resolved" ||
			ds[0].Notice.Event != subscriber.EventIncident || ds[0].Notice.Incident.Message != "Found it" ||
			len(ds[0].Notice.Components) != 2 || ds[0].Notice.Components[1] != "API" || ds[1].Notice.Incident.ResolvedAt.IsZero() {
			t.Errorf("subscriber %d notices %+v", sid, ds)
		}
	}
	deliverAll(t, s, t0.Add(5*time.Hour))

	// A maintenance window covering the bound monitor tells the page; one over tells no one.
	w, err := s.CreateMaintenance(ctx, incident.Maintenance{OrgID: org, Title: "DB upgrade", Start: t0.Add(24 * time.Hour),
		End: t0.Add(25 * time.Hour), MonitorIDs: []int64{api.ID}}, t0.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	due = dueBy(t, s, t0.Add(6*time.Hour))
	if ds := due[alice.ID]; len(ds) != 1 || ds[0].Notice.Event != subscriber.EventMaintenance || ds[0].Notice.Maintenance.Title != "DB upgrade" ||
		!ds[0].Notice.Maintenance.StartsAt.Equal(t0.Add(24*time.Hour)) || ds[0].Notice.Maintenance.Changed ||
		len(ds[0].Notice.Components) != 1 || ds[0].Notice.Components[0] != "API" {
		t.Errorf("maintenance notice %+v", ds)
	}
	deliverAll(t, s, t0.Add(6*time.Hour))
	w.Title = "DB upgrade (moved)"
	if err := s.UpdateMaintenance(ctx, w, t0.Add(7*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ds := dueBy(t, s, t0.Add(7*time.Hour))[alice.ID]; len(ds) != 1 || !ds[0].Notice.Maintenance.Changed {
		t.Errorf("changed maintenance notice %+v", ds)
	}
	deliverAll(t, s, t0.Add(7*time.Hour))
	if _, err := s.CreateMaintenance(ctx, incident.Maintenance{OrgID: org, Title: "past", Start: t0, End: t0.Add(time.Hour)}, t0.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if due := dueBy(t, s, t0.Add(8*time.Hour)); len(due) != 0 {
		t.Errorf("a window already over was told: %v", due)
	}

	// Unsubscribing with the token of any of its mails removes it and what it was owed.
	if _, err := s.DeclareIncident(ctx, org, incident.Draft{Title: "Again", Status: incident.UpdateInvestigating, Message: "Hm",
		ComponentIDs: []int64{web}}, "ops", t0.Add(9*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, p.ID, hash); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, p.ID, hash); err != ErrNotFound {
		t.Errorf("unsubscribe twice: %v", err)
	}
	due = dueBy(t, s, t0.Add(9*time.Hour))
	if len(due[alice.ID]) != 0 || len(due[bob.ID]) != 1 || len(due[hook.ID]) != 1 {
		t.Errorf("after unsubscribing: %v", due)
	}

	// Retry and give up.
	d := due[bob.ID][0]
	if err := s.RecordSubscriberAttempt(ctx, d.ID, alert.Attempt{At: t0.Add(9 * time.Hour), Error: "421"}, t0.Add(10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(dueBy(t, s, t0.Add(9*time.Hour+time.Minute))[bob.ID]) != 0 || len(dueBy(t, s, t0.Add(10*time.Hour))[bob.ID]) != 1 {
		t.Error("retry not scheduled")
	}
	if err := s.RecordSubscriberAttempt(ctx, d.ID, alert.Attempt{At: t0.Add(10 * time.Hour), Error: "550"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	pending, failed, delivered, err := s.SubscriberNoticeCounts(ctx)
	if err != nil || pending != 1 || failed != 1 || delivered == 0 {
		t.Errorf("notice counts %d %d %d, %v", pending, failed, delivered, err)
	}

	// Listing, deleting across organizations.
	subs, err := s.Subscribers(ctx, org, p.ID, 0, 10)
	if err != nil || len(subs) != 2 {
		t.Errorf("subscribers %+v, %v", subs, err)
	}
	if err := s.DeleteSubscriber(ctx, other, p.ID, hook.ID); err != ErrNotFound {
		t.Errorf("delete across orgs: %v", err)
	}
	if err := s.DeleteSubscriber(ctx, org, p.ID, hook.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscriber(ctx, org, p.ID, hook.ID); err != ErrNotFound {
		t.Errorf("deleted subscriber: %v", err)
	}
}

func TestPendingSubscribersExpire(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	p, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: org, Slug: "acme", Title: "Acme", Public: true}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: "old@example.com"}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: "new@example.com"},
		t0.Add(subscriber.PendingLifetime+time.Hour)); err != nil {
		t.Fatal(err)
	}
	subs, err := s.Subscribers(ctx, org, p.ID, 0, 10)
	if err != nil || len(subs) != 1 || subs[0].Address != "new@example.com" {
		t.Errorf("subscribers %+v, %v", subs, err)
	}
}

// A notice given up is listed for its page, only to its organization, and Retry queues it
// again.
func TestFailedSubscriberNotices(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	other := testOrg(t, s, "b")
	p, err := s.CreateStatusPage(ctx, statuspage.Page{OrgID: org, Slug: "acme", Title: "Acme", Public: true,
		Components: []statuspage.Component{{Name: "Website"}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, subscriber.Subscriber{OrgID: org, PageID: p.ID, Address: "bob@example.com"}, t0); err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, ds := range dueBy(t, s, t0) {
		id = ds[0].ID
	}
	if err := s.RecordSubscriberAttempt(ctx, id, alert.Attempt{At: t0.Add(time.Minute), Error: "550 no such mailbox"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	failed, err := s.FailedSubscriberNotices(ctx, org, p.ID)
	if err != nil || len(failed) != 1 || failed[0].ID != id || failed[0].Address != "bob@example.com" || failed[0].LastError != "550 no such mailbox" ||
		failed[0].Attempts != 1 || !failed[0].FailedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("failed notices %+v, %v", failed, err)
	}
	if got, _ := s.FailedSubscriberNotices(ctx, other, p.ID); len(got) != 0 {
		t.Errorf("another organization sees %d failed notices", len(got))
	}
	if err := s.RetrySubscriberNotice(ctx, other, id, t0.Add(time.Hour)); err != ErrNotFound {
		t.Errorf("another organization retrying: %v", err)
	}
	if err := s.RetrySubscriberNotice(ctx, org, id, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FailedSubscriberNotices(ctx, org, p.ID); len(got) != 0 {
		t.Errorf("still failed after retry: %+v", got)
	}
	if due := dueBy(t, s, t0.Add(time.Hour)); len(due) != 1 {
		t.Errorf("not due again after retry: %+v", due)
	}
	if err := s.RetrySubscriberNotice(ctx, org, id, t0.Add(time.Hour)); err != ErrNotFound {
		t.Errorf("retrying a pending notice: %v", err)
	}
}
