package audit_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// rsyslog runs a real rsyslogd receiving RFC 5425 syslog over TLS on
// loopback and writing each message to a file.
type rsyslog struct {
	dir, port, out string
	cmd            *exec.Cmd
}

func MustRsyslog(tb testing.TB, pki *testPKI) *rsyslog {
	tb.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		bin = "/usr/sbin/rsyslogd"
		if _, err := os.Stat(bin); err != nil {
			tb.Skip("rsyslogd not installed: apt-get install -y rsyslog rsyslog-gnutls")
		}
	}
	dir := tb.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	r := &rsyslog{dir: dir, port: port, out: filepath.Join(dir, "out.log")}
	for name, data := range map[string][]byte{"ca.pem": pki.caPEM, "cert.pem": pki.crt, "key.pem": pki.keyPM} {
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	os.Mkdir(filepath.Join(dir, "work"), 0o700)
	conf := fmt.Sprintf(`global(workDirectory="%[1]s/work"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="%[1]s/ca.pem"
  defaultNetstreamDriverCertFile="%[1]s/cert.pem"
  defaultNetstreamDriverKeyFile="%[1]s/key.pem")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" port="%[2]s" address="127.0.0.1")
template(name="raw" type="string" string="%%rawmsg%%\n")
action(type="omfile" file="%[3]s" template="raw")
`, dir, port, r.out)
	os.WriteFile(filepath.Join(dir, "rsyslog.conf"), []byte(conf), 0o600)
	r.cmd = exec.Command(bin, "-n", "-f", filepath.Join(dir, "rsyslog.conf"), "-i", filepath.Join(dir, "rsyslog.pid"))
	r.start(tb)
	tb.Cleanup(r.stop)
	return r
}

func (r *rsyslog) start(tb testing.TB) {
	tb.Helper()
	cmd := exec.Command(r.cmd.Path, r.cmd.Args[1:]...)
	logf, err := os.OpenFile(filepath.Join(r.dir, "rsyslogd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r.cmd = cmd
	for range 100 { // until it listens
		if c, err := net.Dial("tcp", "127.0.0.1:"+r.port); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatal("rsyslogd did not start listening")
}

func (r *rsyslog) stop() {
	if r.cmd.Process != nil && r.cmd.ProcessState == nil {
		r.cmd.Process.Signal(syscall.SIGTERM)
		r.cmd.Wait()
	}
}

func (r *rsyslog) scan(s *seqs) {
	f, err := os.Open(r.out)
	if err != nil {
		return
	}
	defer f.Close()
	s.mu.Lock()
	clear(s.got)
	s.mu.Unlock()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		s.add(sc.Text())
	}
}

// TestForwarderRsyslogRestart streams events to a real rsyslog over TLS
// and restarts the receiver mid-stream: every event must arrive.
func TestForwarderRsyslogRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts rsyslogd")
	}
	pki := MustPKI(t)
	rs := MustRsyslog(t, pki)
	f := MustForwarder(t, pki, "127.0.0.1:"+rs.port, t.TempDir())
	defer f.Close()
	const n = 3000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i <= n; i += 10 {
			recordTo(f, i, i+9)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(150 * time.Millisecond)
	rs.stop() // the receiver goes down mid-stream...
	time.Sleep(300 * time.Millisecond)
	rs.start(t) // ...and comes back
	<-done
	got := &seqs{got: map[int64]int{}}
	waitAll(t, got, n, func() { rs.scan(got) })
}
