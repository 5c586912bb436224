using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Linux;

public sealed class NamespaceTests
{
    [PrivilegedFact]
    public void Create_Named_IsVisibleToIpAndDeletedOnDispose()
    {
        string name;
        using (var ns = TestNamespace.Create())
        {
            name = ns.Name;
            Assert.True(File.Exists(Path.Combine(TestNamespace.Directory, name)));
            Assert.Contains(name, TestNamespace.Run("ip", "netns", "list"), StringComparison.Ordinal);
            // A fresh namespace holds only its loopback.
            var links = ns.IpJson("link", "show");
            Assert.Equal(1, links.GetArrayLength());
            Assert.Equal("lo", links[0].GetProperty("ifname").GetString());
        }
        Assert.False(File.Exists(Path.Combine(TestNamespace.Directory, name)));
        Assert.DoesNotContain(name, TestNamespace.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Create_ExistingName_ThrowsEexistAndKeepsTheFirst()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<NetlinkException>(() => NetworkNamespace.Create(ns.Name, TestNamespace.Directory));
        Assert.Equal(Errno.EEXIST, thrown.Errno);
        Assert.Contains(ns.Name, thrown.Message, StringComparison.Ordinal);
        ns.Ip("link", "show", "lo"); // still usable
    }

    [PrivilegedFact]
    public void OpenNamed_Missing_ThrowsNotFoundNamingTheNamespace()
    {
        var name = TestNamespace.NewName();
        var thrown = Assert.Throws<NetlinkNotFoundException>(() => NetworkNamespace.OpenNamed(name, TestNamespace.Directory));
        Assert.Contains(name, thrown.Message, StringComparison.Ordinal);
        Assert.Throws<NetlinkNotFoundException>(() => NetworkNamespace.Delete(name, TestNamespace.Directory));
    }

    [PrivilegedFact]
    public void Create_DefaultDirectory_IsASharedMountAndDeleteRemovesTheFile()
    {
        var name = TestNamespace.NewName();
        try
        {
            using (var ns = NetworkNamespace.Create(name))
            {
                Assert.Equal(Path.Combine(NetworkNamespace.DefaultDirectory, name), ns.Path);
                Assert.Contains(name, NetworkNamespace.List());
                var mountinfo = File.ReadAllLines("/proc/self/mountinfo");
                Assert.Contains(mountinfo, line => line.Split(' ')[4] == NetworkNamespace.DefaultDirectory && line.Contains("shared:", StringComparison.Ordinal));
            }
            NetworkNamespace.Delete(name);
            Assert.False(NetworkNamespace.Exists(name));
        }
        finally
        {
            if (NetworkNamespace.Exists(name))
            {
                NetworkNamespace.Delete(name);
            }
        }
    }

    [PrivilegedFact]
    public void Run_ExecutesInsideTheNamespace_AndCallerStaysOutside()
    {
        using var ns = TestNamespace.Create();
        var outside = NamespaceInode("/proc/thread-self/ns/net");
        var inside = ns.Namespace.Run(() => NamespaceInode("/proc/thread-self/ns/net"));
        Assert.NotEqual(outside, inside);
        Assert.Equal(NamespaceInode(ns.Namespace.Path), inside);
        Assert.Equal(outside, NamespaceInode("/proc/thread-self/ns/net"));
    }

    [PrivilegedFact]
    public void Run_ExceptionInside_IsRethrownToCaller()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<InvalidOperationException>(() => ns.Namespace.Run(() => throw new InvalidOperationException("inside")));
        Assert.Equal("inside", thrown.Message);
    }

    [PrivilegedFact]
    public void Run_SocketOpenedInside_ListensInTheNamespace()
    {
        using var ns = TestNamespace.Create();
        ns.Netlink.LinkSetUp("lo");
        using var socket = ns.Namespace.Run(() =>
        {
            var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            s.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            return s;
        });
        var port = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
        var sockets = ns.Exec("ss", "-Huan");
        Assert.Contains($"127.0.0.1:{port}", sockets, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Sysctl_WriteInsideNamespace_ChangesOnlyThatNamespace()
    {
        using var ns = TestNamespace.Create();
        var hostBefore = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();
        Assert.Equal("0", Sysctl.Read("net.ipv4.ip_forward", ns.Namespace));
        Sysctl.Write("net.ipv4.ip_forward", "1", ns.Namespace);
        Assert.Equal("1", Sysctl.Read("net.ipv4.ip_forward", ns.Namespace));
        Assert.Equal("1", ns.Exec("sysctl", "-n", "net.ipv4.ip_forward").Trim());
        Assert.Equal(hostBefore, File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim());
    }

    [PrivilegedFact]
    public void Sysctl_UnknownKey_ThrowsNamingIt()
    {
        using var ns = TestNamespace.Create();
        var thrown = Assert.Throws<ArgumentException>(() => Sysctl.Read("net.ipv4.no_such_knob", ns.Namespace));
        Assert.Contains("net.ipv4.no_such_knob", thrown.Message, StringComparison.Ordinal);
    }

    private static ulong NamespaceInode(string path)
    {
        // readlink gives "net:[INODE]" for /proc links; stat works for both those and bind mounts.
        var output = TestNamespace.Run("stat", "-L", "-c", "%i", path);
        return ulong.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
