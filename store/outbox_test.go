package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
	"statusthing/app/monitor"
)

func createChannel(t testing.TB, s *Store, org int64, name string, def, enabled bool) alert.Channel {
	t.Helper()
	c, err := s.CreateChannel(context.Background(), alert.Channel{OrgID: org, Name: name, Type: alert.TypeWebhook,
		Settings: json.RawMessage(`{"url":"http://127.0.0.1:1/` + name + `","secret":"s3cret"}`), IsDefault: def, Enabled: enabled}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func outboxChannels(t testing.TB, s *Store, where string, args ...any) []int64 {
	t.Helper()
	rows, err := s.read.Query(`SELECT channel_id FROM outbox WHERE `+where+` ORDER BY channel_id`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestChannelCRUDAndAttach(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	a, b := testOrg(t, s, "a"), testOrg(t, s, "b")
	m := createMonitor(t, s, httpMonitor(a, "Shop"))
	c := createChannel(t, s, a, "ops", false, true)
	other := createChannel(t, s, b, "theirs", false, true)

	if _, err := s.CreateChannel(ctx, alert.Channel{OrgID: a, Name: "x", Type: "pager"}, t0); err == nil {
		t.Error("unknown type accepted")
	}
	if _, err := s.CreateChannel(ctx, alert.Channel{OrgID: a, Name: "x", Type: alert.TypeSlack, Settings: json.RawMessage(`{`)}, t0); err == nil {
		t.Error("invalid JSON settings accepted")
	}
	got, err := s.Channel(ctx, a, c.ID)
	if err != nil || got.Name != "ops" || got.Type != alert.TypeWebhook || !got.Enabled || got.IsDefault || !got.CreatedAt.Equal(t0) ||
		string(got.Settings) != string(c.Settings) {
		t.Fatalf("Channel: %+v, %v", got, err)
	}
	if _, err := s.Channel(ctx, b, c.ID); err != ErrNotFound {
		t.Errorf("other org's channel: %v", err)
	}
	got.Name, got.IsDefault = "oncall", true
	if err := s.UpdateChannel(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateChannel(ctx, alert.Channel{ID: c.ID, OrgID: b, Name: "stolen", Type: alert.TypeWebhook}); err != ErrNotFound {
		t.Errorf("update across orgs: %v", err)
	}
	list, err := s.Channels(ctx, a)
	if err != nil || len(list) != 1 || list[0].Name != "oncall" || !list[0].IsDefault {
		t.Fatalf("Channels: %+v, %v", list, err)
	}

	if err := s.AttachChannel(ctx, a, m.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachChannel(ctx, a, m.ID, c.ID); err != nil {
		t.Errorf("attach twice: %v", err)
	}
	if err := s.AttachChannel(ctx, a, m.ID, other.ID); err != ErrNotFound {
		t.Errorf("attach another org's channel: %v", err)
	}
	if err := s.AttachChannel(ctx, b, m.ID, other.ID); err != ErrNotFound {
		t.Errorf("attach to another org's monitor: %v", err)
	}
	if mc, err := s.MonitorChannels(ctx, a, m.ID); err != nil || len(mc) != 1 || mc[0].ID != c.ID {
		t.Errorf("MonitorChannels: %+v, %v", mc, err)
	}
	if at, err := s.ChannelAttachments(ctx, a); err != nil || len(at) != 1 || len(at[c.ID]) != 1 || at[c.ID][0] != m.ID {
		t.Errorf("ChannelAttachments: %v, %v", at, err)
	}
	if at, err := s.ChannelAttachments(ctx, b); err != nil || len(at) != 0 {
		t.Errorf("another organization's attachments: %v, %v", at, err)
	}
	if err := s.DetachChannel(ctx, b, m.ID, c.ID); err != nil || countRows(t, s, "monitor_channels", "") != 1 {
		t.Errorf("detach across orgs removed it: %v", err)
	}
	if err := s.DetachChannel(ctx, a, m.ID, c.ID); err != nil || countRows(t, s, "monitor_channels", "") != 0 {
		t.Errorf("detach: %v", err)
	}
	if err := s.DeleteChannel(ctx, b, c.ID); err != ErrNotFound {
		t.Errorf("delete across orgs: %v", err)
	}
	if err := s.DeleteChannel(ctx, a, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Channel(ctx, a, c.ID); err != ErrNotFound {
		t.Errorf("deleted channel: %v", err)
	}
}

// TestIncidentEnqueuesAlerts: the failing RecordResult that opens an incident writes, in its
// transaction, one outbox row per applicable channel: the org's enabled default channels
// and the enabled channels attached to the monitor; none for a disabled channel, an
// unattached one or another organization's. Recovery enqueues the "up" alerts.
func TestIncidentEnqueuesAlerts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	a, b := testOrg(t, s, "a"), testOrg(t, s, "b")
	hm := httpMonitor(a, "Shop")
	hm.Retries = 0
	hm.Settings = monitor.HTTPSettings{Method: "GET", URL: "https://user:pw@shop.example.com/health", MaxRedirects: 5,
		ExpectedStatus: monitor.StatusRanges{{Min: 200, Max: 299}}}
	m := createMonitor(t, s, hm)
	quiet := createMonitor(t, s, httpMonitor(a, "Quiet"))

	def := createChannel(t, s, a, "default", true, true)
	attached := createChannel(t, s, a, "attached", false, true)
	disabledAttached := createChannel(t, s, a, "disabled-attached", false, false)
	createChannel(t, s, a, "disabled-default", true, false)
	createChannel(t, s, a, "unattached", false, true)
	createChannel(t, s, b, "other-org-default", true, true)
	for _, c := range []alert.Channel{attached, disabledAttached} {
		if err := s.AttachChannel(ctx, a, m.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}

	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeUp})
	if n := countRows(t, s, "outbox", ""); n != 0 {
		t.Fatalf("pending -> up enqueued %d alerts", n)
	}
	select { // drain the wake of the first flip
	case <-s.AlertsQueued():
	default:
	}
	_, flip := record(t, s, failed(m.ID, t0.Add(time.Minute)))
	if flip == nil || flip.To != monitor.StatusDown {
		t.Fatalf("flip %+v", flip)
	}
	select {
	case <-s.AlertsQueued():
	default:
		t.Error("no wake after the flip's commit")
	}
	open, err := s.Incidents(ctx, a, incident.Filter{Status: incident.StatusOpen}, 0, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("incidents %+v, %v", open, err)
	}
	if got, want := outboxChannels(t, s, "1"), []int64{def.ID, attached.ID}; !slices.Equal(got, want) {
		t.Fatalf("outbox channels %v, want %v", got, want)
	}
	due, err := s.DueAlerts(ctx, t0.Add(time.Minute), 10, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("DueAlerts: %+v, %v", due, err)
	}
	d := due[0]
	want := alert.Alert{Event: alert.EventDown,
		Monitor:  alert.Monitor{ID: m.ID, Name: "Shop", Type: "http", Target: "https://shop.example.com/health"},
		Incident: alert.Incident{ID: open[0].ID, Title: "Shop is down", OpenedAt: t0.Add(time.Minute)},
		Status:   "down", Reason: flip.Reason, Time: t0.Add(time.Minute),
		IdempotencyKey: alert.Key(open[0].ID, alert.EventDown, def.ID)}
	if d.Alert != want || d.OrgID != a || d.Channel.ID != def.ID || d.Attempts != 0 || !d.NextAttemptAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("due alert\n got %+v\nwant %+v", d, want)
	}
	if due[1].Alert.IdempotencyKey == d.Alert.IdempotencyKey {
		t.Error("two channels share an idempotency key")
	}

	// Still down: nothing more. The quiet monitor has only the default channel.
	record(t, s, failed(m.ID, t0.Add(2*time.Minute)))
	if n := countRows(t, s, "outbox", ""); n != 2 {
		t.Errorf("still down: %d outbox rows, want 2", n)
	}
	record(t, s, failed(quiet.ID, t0.Add(2*time.Minute)))
	record(t, s, failed(quiet.ID, t0.Add(3*time.Minute))) // retries 1: down now
	if got := outboxChannels(t, s, "event ->> '$.monitor.id' = ?", quiet.ID); !slices.Equal(got, []int64{def.ID}) {
		t.Errorf("quiet monitor's outbox channels %v", got)
	}

	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(5 * time.Minute), Outcome: monitor.OutcomeUp})
	ups, err := s.deliveries(ctx, "ups", `SELECT `+deliveryColumns+` FROM outbox o JOIN channels c ON c.id = o.channel_id
		WHERE o.event ->> '$.event' = 'up' ORDER BY o.channel_id`)
	if err != nil || len(ups) != 2 {
		t.Fatalf("up alerts %+v, %v", ups, err)
	}
	if u := ups[0].Alert; u.Status != "up" || !u.Incident.ResolvedAt.Equal(t0.Add(5*time.Minute)) || u.IdempotencyKey != alert.Key(open[0].ID, alert.EventUp, def.ID) {
		t.Errorf("up alert %+v", u)
	}
	if n := countRows(t, s, "outbox", "org_id = ?", b); n != 0 {
		t.Errorf("other org got %d alerts", n)
	}
}

// TestOutboxInFlipTransaction: the outbox rows belong to the flip's transaction: a
// failed write leaves neither incident nor alert.
func TestOutboxInFlipTransaction(t *testing.T) {
	s := openTest(t, Options{})
	a := testOrg(t, s, "a")
	hm := httpMonitor(a, "Shop")
	hm.Retries = 0
	m := createMonitor(t, s, hm)
	createChannel(t, s, a, "default", true, true)
	// Break the outbox insert: the whole result (incident included) must be refused.
	if _, err := s.write.Exec(`CREATE TRIGGER outbox_refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'no'); END`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordResult(context.Background(), failed(m.ID, t0)); err == nil {
		t.Fatal("RecordResult succeeded with a failing outbox insert")
	}
	if n := countRows(t, s, "incidents", ""); n != 0 {
		t.Errorf("%d incidents without their alerts", n)
	}
	if n := countRows(t, s, "results", ""); n != 0 {
		t.Errorf("%d results without their alerts", n)
	}
}

func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	a, b := testOrg(t, s, "a"), testOrg(t, s, "b")
	c1 := createChannel(t, s, a, "one", true, true)
	c2 := createChannel(t, s, a, "two", true, true)
	// Three outages of three monitors: 3 alerts per channel.
	for i := range 3 {
		hm := httpMonitor(a, "m"+string(rune('a'+i)))
		hm.Retries = 0
		m := createMonitor(t, s, hm)
		record(t, s, failed(m.ID, t0.Add(time.Duration(i)*time.Second)))
	}
	now := t0.Add(time.Minute)
	due, err := s.DueAlerts(ctx, now, 2, 100)
	if err != nil || len(due) != 4 {
		t.Fatalf("DueAlerts(perChannel 2): %d, %v", len(due), err)
	}
	if due, _ := s.DueAlerts(ctx, now, 5, 3); len(due) != 3 {
		t.Errorf("DueAlerts(limit 3): %d", len(due))
	}
	if due, _ := s.DueAlerts(ctx, t0.Add(-time.Second), 5, 100); len(due) != 0 {
		t.Errorf("due before they were created: %d", len(due))
	}

	ok, retry, give := due[0], due[1], due[2]
	if err := s.RecordAttempt(ctx, ok.ID, alert.Attempt{At: now, OK: true, StatusCode: 200}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, ok.ID, alert.Attempt{At: now, OK: true}, time.Time{}); err != ErrNotFound {
		t.Errorf("attempt on a delivered alert: %v", err)
	}
	if err := s.RecordAttempt(ctx, retry.ID, alert.Attempt{At: now, StatusCode: 503, Error: "HTTP 503"}, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, give.ID, alert.Attempt{At: now, StatusCode: 400, Error: "HTTP 400"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.OutboxAlert(ctx, a, retry.ID)
	if err != nil || got.Attempts != 1 || got.LastError != "HTTP 503" || !got.NextAttemptAt.Equal(now.Add(time.Hour)) || !got.FailedAt.IsZero() {
		t.Errorf("retried alert %+v, %v", got, err)
	}
	if got, _ := s.OutboxAlert(ctx, a, ok.ID); !got.DeliveredAt.Equal(now) {
		t.Errorf("delivered alert %+v", got)
	}
	for _, d := range []alert.Delivery{ok, retry, give} {
		if due, _ := s.DueAlerts(ctx, now, 10, 100); slices.ContainsFunc(due, func(x alert.Delivery) bool { return x.ID == d.ID }) {
			t.Errorf("alert %d still due", d.ID)
		}
	}
	failedList, err := s.FailedAlerts(ctx, a)
	if err != nil || len(failedList) != 1 || failedList[0].ID != give.ID || !failedList[0].FailedAt.Equal(now) {
		t.Fatalf("FailedAlerts: %+v, %v", failedList, err)
	}
	if l, _ := s.FailedAlerts(ctx, b); len(l) != 0 {
		t.Errorf("other org sees failed alerts: %+v", l)
	}
	atts, err := s.AlertAttempts(ctx, a, give.ID)
	if err != nil || len(atts) != 1 || atts[0].OK || atts[0].StatusCode != 400 || atts[0].Error != "HTTP 400" || !atts[0].At.Equal(now) {
		t.Errorf("attempts %+v, %v", atts, err)
	}
	if err := s.RetryAlert(ctx, b, give.ID, now); err != ErrNotFound {
		t.Errorf("retry across orgs: %v", err)
	}
	if err := s.RetryAlert(ctx, a, retry.ID, now); err != ErrNotFound {
		t.Errorf("retry of an alert not given up: %v", err)
	}
	if err := s.RetryAlert(ctx, a, give.ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OutboxAlert(ctx, a, give.ID); got.Attempts != 0 || !got.FailedAt.IsZero() || !got.NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Errorf("retried alert %+v", got)
	}
	// Deleting a channel drops its alerts and their attempts.
	if err := s.DeleteChannel(ctx, a, c1.ID); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "outbox", "channel_id = ?", c1.ID); n != 0 {
		t.Errorf("%d alerts left for a deleted channel", n)
	}
	_ = c2
}

// Resolving by hand tells the channels it is over; old alerts go with the failures' retention.
func TestResolveByHandAlertsAndPrune(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	ch := createChannel(t, s, org, "ops", true, true)
	hm := httpMonitor(org, "Shop")
	hm.Retries = 0
	m := createMonitor(t, s, hm)
	record(t, s, failed(m.ID, t0))
	list, err := s.Incidents(ctx, org, incident.Filter{}, 0, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents %v, %v", list, err)
	}
	if err := s.ResolveIncident(ctx, org, list[0].ID, "ops@example.com", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var events []string
	rows, err := s.read.Query(`SELECT json_extract(event, '$.event'), json_extract(event, '$.reason'), json_extract(event, '$.status')
		FROM outbox WHERE channel_id = ? ORDER BY id`, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ev, reason, status string
		if err := rows.Scan(&ev, &reason, &status); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev+"|"+reason+"|"+status)
	}
	rows.Close()
	if len(events) != 2 || events[1] != "up|resolved by hand by ops@example.com|down" {
		t.Fatalf("outbox events %q", events)
	}
	// Resolving again queues nothing more.
	if err := s.ResolveIncident(ctx, org, list[0].ID, "ops@example.com", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "outbox", ""); n != 2 {
		t.Errorf("%d outbox rows after resolving twice, want 2", n)
	}
	st, err := s.Prune(ctx, t0.Add(91*24*time.Hour), Retention{})
	if err != nil || st.Alerts != 2 || countRows(t, s, "outbox", "") != 0 {
		t.Errorf("prune: %+v, %v; %d rows left", st, err, countRows(t, s, "outbox", ""))
	}
}

// The alerts of an incident are listed for its timeline, and only to its organization.
func TestIncidentAlerts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	org := testOrg(t, s, "a")
	hm := httpMonitor(org, "Shop")
	hm.Retries = 0
	m := createMonitor(t, s, hm)
	ch, err := s.CreateChannel(ctx, alert.Channel{OrgID: org, Name: "ops hook", Type: alert.TypeWebhook, IsDefault: true, Enabled: true,
		Settings: json.RawMessage(`{"url":"http://127.0.0.1:1/hook","secret":"s3cret"}`)}, t0)
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0, Outcome: monitor.OutcomeUp})
	record(t, s, failed(m.ID, t0.Add(time.Minute)))
	record(t, s, monitor.Result{MonitorID: m.ID, StartedAt: t0.Add(2 * time.Minute), Outcome: monitor.OutcomeUp})
	list, _ := s.Incidents(ctx, org, incident.Filter{}, 0, 10)
	if len(list) != 1 {
		t.Fatalf("incidents %+v", list)
	}
	alerts, err := s.IncidentAlerts(ctx, org, list[0].ID)
	if err != nil || len(alerts) != 2 || alerts[0].Alert.Event != alert.EventDown || alerts[1].Alert.Event != alert.EventUp ||
		alerts[0].Channel.ID != ch.ID {
		t.Fatalf("incident alerts %+v, %v", alerts, err)
	}
	if other, _ := s.IncidentAlerts(ctx, testOrg(t, s, "b"), list[0].ID); len(other) != 0 {
		t.Errorf("another organization sees %d alerts", len(other))
	}
}
