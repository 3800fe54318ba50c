package relay

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"
)

// privateBroker is a RabbitMQ node of the test's own, from the machine's
// rabbitmq-server, in a temporary folder on ports of its own: the one
// broker a test may stop and start. Without the binary, or when the node
// does not come up, the test skips and says why; the outage through a
// proxy (TestTheRelayCatchesUpAfterTheBrokerWasAway) is tested regardless.
type privateBroker struct {
	t    *testing.T
	node string
	url  string
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startPrivateBroker(t *testing.T) *privateBroker {
	t.Helper()
	server, err := exec.LookPath("rabbitmq-server")
	if err != nil {
		if server, err = exec.LookPath("/usr/sbin/rabbitmq-server"); err != nil {
			t.Skip("no rabbitmq-server on this machine to run a private broker")
		}
	}
	dir, err := os.MkdirTemp("", "relay-broker-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	port, dist := freePort(t), freePort(t)
	node := "relaytest-" + uuid.NewString()[:8] + "@localhost"
	files := map[string]string{
		"rabbitmq.conf":   fmt.Sprintf("loopback_users = none\nlisteners.tcp.default = %d\n", port),
		"enabled_plugins": "[].\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"mnesia", "log"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// As root, the server's wrapper runs the node as the rabbitmq user:
	// the node's folders must be its own.
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("rabbitmq"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			_ = os.Chmod(dir, 0o755)
			_ = filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, uid, gid) })
		}
	}
	env := append(os.Environ(),
		"RABBITMQ_NODENAME="+node,
		"RABBITMQ_NODE_PORT="+strconv.Itoa(port),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(dist),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(dir, "rabbitmq.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(dir, "enabled_plugins"),
		"RABBITMQ_PID_FILE="+filepath.Join(dir, "pid"),
	)
	cmd := exec.Command(server)
	cmd.Env, cmd.Dir = env, dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("the private broker did not start: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	b := &privateBroker{t: t, node: node, url: fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", port)}
	t.Cleanup(func() {
		// Stop this node only, by its name; kill its process group if it
		// does not go.
		_ = exec.Command("rabbitmqctl", "-n", node, "stop").Run()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	if !b.reachable(90 * time.Second) {
		t.Skipf("the private broker did not come up within 90 s; its output:\n%s", out.String())
	}
	return b
}

// reachable waits until the node takes AMQP connections.
func (b *privateBroker) reachable(within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if c, err := amqp.Dial(b.url); err == nil {
			_ = c.Close()
			return true
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-b.t.Context().Done():
			return false
		}
	}
	return false
}

// ctl runs rabbitmqctl on this node.
func (b *privateBroker) ctl(args ...string) {
	b.t.Helper()
	out, err := exec.Command("rabbitmqctl", append([]string{"-n", b.node}, args...)...).CombinedOutput()
	if err != nil {
		b.t.Fatalf("rabbitmqctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// durableConsumer follows an exchange through a durable queue, and
// connects again whenever the broker drops it.
func durableConsumer(t *testing.T, url, exchange string) *consumer {
	t.Helper()
	c := &consumer{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Go(func() {
		for ctx.Err() == nil {
			c.follow(ctx, url, exchange)
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	return c
}

func (c *consumer) follow(ctx context.Context, url, exchange string) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	if ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil) != nil {
		return
	}
	q, err := ch.QueueDeclare(exchange+".durable", true, false, false, false, nil)
	if err != nil || ch.QueueBind(q.Name, "#", exchange, false, nil) != nil {
		return
	}
	msgs, err := ch.Consume(q.Name, "", true, false, false, false, nil)
	if err != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			pos, _ := m.Headers["position"].(int64)
			stream, _ := m.Headers["stream"].(string)
			c.mu.Lock()
			c.got = append(c.got, delivery{id: m.MessageId, typ: m.Type, key: m.RoutingKey, stream: stream, position: pos,
				contentType: m.ContentType, persistent: m.DeliveryMode == amqp.Persistent, body: string(m.Body), timestamp: m.Timestamp})
			c.mu.Unlock()
		}
	}
}

func TestTheRelayCatchesUpAcrossABrokerRestart(t *testing.T) {
	brokerURL(t) // the shared broker's tests run beside; this one has its own
	if testing.Short() {
		t.Skip("starts a RabbitMQ node of its own")
	}
	b := startPrivateBroker(t)
	store := world(t)
	exchange := exchangeName(t)
	c := durableConsumer(t, b.url, exchange)
	run(t, Config{Store: store, URL: b.url, Exchange: exchange, Log: quiet, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})

	var want []string
	for range 5 {
		want = append(want, placeOrder(t, store, false)...)
	}
	eventually(t, 30*time.Second, func() string { return fmt.Sprintf("%d missing before the restart", len(missing(c, want))) },
		func() bool { return len(missing(c, want)) == 0 })

	b.ctl("stop_app")
	// The restaurant works on while its broker is down.
	for i := range 8 {
		want = append(want, placeOrder(t, store, i%2 == 0)...)
	}
	eventually(t, 30*time.Second, func() string { return "the relay never noticed the broker stopped" }, func() bool {
		s, _, err := ReadStatus(context.Background(), store.Pool(), "")
		return err == nil && !s.Connected && s.LagEvents > 0
	})
	b.ctl("start_app")
	eventually(t, 60*time.Second, func() string { return fmt.Sprintf("%d missing after the restart", len(missing(c, want))) },
		func() bool { return len(missing(c, want)) == 0 })
	checkDeliveries(t, c.all())
}
