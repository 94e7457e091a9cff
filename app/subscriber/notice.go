package subscriber

import (
	"strconv"
	"time"
)

// Event is what a notice tells: the "event" of the webhook payload (see the README).
type Event string

// Notice events.
const (
	// EventConfirm asks an e-mail subscriber to confirm (double opt-in); never sent to webhooks.
	EventConfirm Event = "subscription.confirm"
	// EventIncident is a public update of an incident shown on the page (declared, updated,
	// resolved).
	EventIncident Event = "incident.update"
	// EventMaintenance is a maintenance window covering the page's components, created or
	// changed.
	EventMaintenance Event = "maintenance.scheduled"
)

// Page is the status page a notice is about.
type Page struct {
	ID     int64  `json:"id"`
	Slug   string `json:"slug"`
	Title  string `json:"title"`
	Locale string `json:"locale"`
	URL    string `json:"url,omitempty"` // filled in at delivery from the base URL
}

// Incident is the public side of an incident a notice is about: only what the status page
// itself shows (never a monitor's name, target or error).
type Incident struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Impact     string    `json:"impact"` // none | minor | major | critical
	Status     string    `json:"status"` // of this update: investigating | identified | monitoring | resolved
	Message    string    `json:"message"`
	At         time.Time `json:"at"` // of this update
	OpenedAt   time.Time `json:"opened_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Maintenance is a maintenance window a notice is about.
type Maintenance struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// StartsAt and EndsAt are a one-off window's, or the next window of a recurring one
	// (zero when it has no next window).
	StartsAt  time.Time `json:"starts_at,omitzero"`
	EndsAt    time.Time `json:"ends_at,omitzero"`
	Recurring bool      `json:"recurring"`
	Changed   bool      `json:"changed"` // an existing window was changed (else it is new)
}

// Notice is the payload of one subscriber notification: the same for every subscriber of
// a page but for IdempotencyKey, which identifies one (notice, subscriber) delivery.
type Notice struct {
	Event       Event        `json:"event"`
	Page        Page         `json:"page"`
	Incident    *Incident    `json:"incident,omitempty"`
	Maintenance *Maintenance `json:"maintenance,omitempty"`
	// Components are the names of the page's components concerned, in page order.
	Components     []string  `json:"components"`
	Time           time.Time `json:"time"`
	IdempotencyKey string    `json:"idempotency_key"`
}

// UpdateKey is the idempotency key of the notice of incident update updateID to subscriberID.
func UpdateKey(updateID, subscriberID int64) string {
	return "statusthing-update-" + itoa(updateID) + "-subscriber-" + itoa(subscriberID)
}

// MaintenanceKey is the idempotency key of the notice of change n (a random tag: one per
// save) of maintenance window id to subscriberID.
func MaintenanceKey(id int64, change string, subscriberID int64) string {
	return "statusthing-maintenance-" + itoa(id) + "-" + change + "-subscriber-" + itoa(subscriberID)
}

// ConfirmKey is the idempotency key of a confirmation request to subscriberID; change tells
// requests apart (a random tag).
func ConfirmKey(subscriberID int64, change string) string {
	return "statusthing-confirm-" + itoa(subscriberID) + "-" + change
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Delivery is one queued notice for one subscriber and where its delivery stands.
type Delivery struct {
	ID            int64
	OrgID         int64
	Subscriber    Subscriber
	Notice        Notice
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	DeliveredAt   time.Time
	FailedAt      time.Time
	LastError     string
}
