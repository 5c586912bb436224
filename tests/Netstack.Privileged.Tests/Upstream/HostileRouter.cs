using System.Diagnostics;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Upstream;

/// <summary>
/// A broken or hostile "router" in the lab's router namespace instead of miniupnpd (a small Python
/// program, started and stopped by its pid): garbage and wrong-version datagrams on UDP 5351, an
/// SSDP answer on the LAN, and a device description that never ends (a megabyte of '&lt;').
/// </summary>
internal sealed class HostileRouter : IDisposable
{
    private readonly Process _process;

    private HostileRouter(Process process) => _process = process;

    public static HostileRouter Start(RouterLab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var path = Path.Combine(lab.Directory, "hostile.py");
        File.WriteAllText(path, $$"""
            import os, socket, struct, threading, http.server
            def pmp():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("{{RouterLab.RouterLan}}", 5351))
                while True:
                    data, peer = s.recvfrom(2048)
                    s.sendto(os.urandom(40), peer)                       # garbage
                    s.sendto(bytes([7, data[1] | 0x80, 0, 0]) * 6, peer)   # another version, success
                    s.sendto(b"\x00" * 3000, peer)                       # oversized
            def ssdp():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("", 1900))
                s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("239.255.255.250") + socket.inet_aton("{{RouterLab.RouterLan}}"))
                while True:
                    data, peer = s.recvfrom(2048)
                    if data.startswith(b"M-SEARCH"):
                        st = [l.split(b":", 1)[1].strip() for l in data.split(b"\r\n") if l.upper().startswith(b"ST:")][0]
                        s.sendto(b"HTTP/1.1 200 OK\r\nST: " + st + b"\r\nLOCATION: http://{{RouterLab.RouterLan}}:5000/rootDesc.xml\r\n\r\n", peer)
                        s.sendto(b"\xff\xfe garbage \x00", peer)
            class Flood(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    self.end_headers()
                    try:
                        self.wfile.write(b"<" * (1 << 20))
                    except OSError:
                        pass
                def log_message(self, *args):
                    pass
            threading.Thread(target=pmp, daemon=True).start()
            threading.Thread(target=ssdp, daemon=True).start()
            http.server.ThreadingHTTPServer(("{{RouterLab.RouterLan}}", 5000), Flood).serve_forever()
            """);
        var process = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", lab.Router.Name, "python3", path]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("python3 did not start");
        // Serving once its HTTP port listens.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!lab.Router.Exec("ss", "-Hltn").Contains(RouterLab.RouterLan + ":5000", StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the hostile router did not come up: " + (process.HasExited ? process.StandardError.ReadToEnd() : "timeout"));
            }
            Thread.Sleep(50);
        }
        return new HostileRouter(process);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            TestNamespace.TryRun("kill", "-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
