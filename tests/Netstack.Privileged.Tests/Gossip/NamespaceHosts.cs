using System.Net;
using System.Net.Sockets;
using Netstack.Gossip;
using Netstack.Gossip.Security;
using Netstack.Gossip.Transport;
using Netstack.Linux;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Gossip;

/// <summary>
/// Hosts as network namespaces on one bridge: a "switch" namespace with br0 and, per host, a
/// veth whose eth0 end sits in the host namespace with 10.77.0.N/24. Gossip nodes bind real UDP
/// and TCP sockets inside their host's namespace. Everything is removed on Dispose.
/// </summary>
internal sealed class NamespaceHosts : IDisposable
{
    private readonly TestNamespace _switch;
    private readonly List<TestNamespace> _hosts = [];

    public NamespaceHosts(int count)
    {
        _switch = TestNamespace.Create();
        try
        {
            _switch.Netlink.LinkAdd(new BridgeSpec("br0") { Up = true });
            for (var i = 0; i < count; i++)
            {
                var host = TestNamespace.Create();
                _hosts.Add(host);
                _switch.Netlink.LinkAdd(new VethSpec($"h{i}", $"p{i}"));
                _switch.Netlink.LinkSetMaster($"h{i}", "br0");
                _switch.Netlink.LinkSetUp($"h{i}");
                _switch.Netlink.LinkSetNamespace($"p{i}", host.Namespace);
                host.Netlink.LinkSetName($"p{i}", "eth0");
                host.Netlink.LinkSetUp("eth0");
                host.Netlink.LinkSetUp("lo");
                host.Netlink.AddrAdd("eth0", new InterfaceAddress(AddressOf(i), 24));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<TestNamespace> Hosts => _hosts;

    public static IPAddress AddressOf(int host) => new([10, 77, 0, (byte)(host + 1)]);

    /// <summary>A gossip node with real sockets on 10.77.0.N:7946 inside host N's namespace.</summary>
    public GossipNode CreateNode(int host, GossipKeyring? keyring, string? name = null)
    {
        var options = new GossipOptions
        {
            NodeName = name ?? $"host{host}",
            BindAddress = AddressOf(host),
            BindPort = 7946,
            // Faster than LAN defaults so the test takes seconds; the protocol is the same.
            ProbeInterval = TimeSpan.FromMilliseconds(200),
            ProbeTimeout = TimeSpan.FromMilliseconds(100),
            GossipInterval = TimeSpan.FromMilliseconds(50),
            PushPullInterval = TimeSpan.FromSeconds(2),
            TableSyncInterval = TimeSpan.FromSeconds(2),
            TcpTimeout = TimeSpan.FromSeconds(2),
        };
        var ns = _hosts[host].Namespace;
        Socket Create(AddressFamily family, SocketType type, ProtocolType protocol) => ns.Run(() => new Socket(family, type, protocol));
        var transport = UdpTcpTransport.Bind(options, createSocket: Create);
        return new GossipNode(options, transport, keyring);
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
        _switch.Dispose();
    }
}
