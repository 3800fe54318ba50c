package live

import "testing"

// The topics' strings are the wire format: browsers and other processes
// send them, so they must read back as the topics that made them.
func TestTopicsReadBackAsTheyAreWritten(t *testing.T) {
	const id = "4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f"
	for _, tc := range []struct {
		topic Topic
		wire  string
	}{
		{MenuTopic(), "menu"},
		{KitchenTopic(), "kitchen"},
		{ProjectionsTopic(), "projections"},
		{OrdersTopic(), "orders"},
		{OrderTopic(id), "order:" + id},
		{HistoryTopic(id), "history:" + id},
	} {
		if string(tc.topic) != tc.wire {
			t.Errorf("topic %q, want %q on the wire", tc.topic, tc.wire)
		}
		if got, ok := ParseTopic(tc.wire); !ok || got != tc.topic {
			t.Errorf("ParseTopic(%q) = %q, %v; want the topic back", tc.wire, got, ok)
		}
	}
	if got, ok := OrderTopic(id).Order(); !ok || got != id {
		t.Errorf("OrderTopic(id).Order() = %q, %v", got, ok)
	}
	if got, ok := HistoryTopic(id).History(); !ok || got != id {
		t.Errorf("HistoryTopic(id).History() = %q, %v", got, ok)
	}
	if _, ok := OrdersTopic().Order(); ok {
		t.Error("the list of orders read as one order")
	}
	if got := Href(OrderTopic(id)); got != "/live?topic=order:"+id {
		t.Errorf("Href = %q", got)
	}
}

// A client follows screens and orders only: an access notice, the
// schedulers' notice, an order not named as the site names it, or an
// unknown screen is no topic.
func TestParseTopicRefusesWhatClientsMayNotFollow(t *testing.T) {
	for _, s := range []string{
		string(AccessTopic("maria")), string(ScheduleTopic()), "order:", "order:4B4D6A53-0E4C-4D5E-9A7E-2F0B1C3D4E5F",
		"history:{4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f}", "tickets", "", "Kitchen",
	} {
		if got, ok := ParseTopic(s); ok {
			t.Errorf("ParseTopic(%q) = %q, want no topic", s, got)
		}
	}
}
