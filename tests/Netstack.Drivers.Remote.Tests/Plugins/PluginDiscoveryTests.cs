using Netstack.Core;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Plugins;

public sealed class PluginDiscoveryTests
{
    [Fact]
    public async Task Find_SocketInSocketDirectory_IsAUnixAddress()
    {
        using var dirs = PluginDirectory.Create();
        await using var plugin = await dirs.StartPluginAsync("weave");

        var found = new PluginDiscovery(dirs.Options()).Find("weave");

        Assert.Equal("unix", found.Address.Scheme);
        Assert.Equal(dirs.SocketOf("weave"), found.Address.AbsolutePath);
        Assert.Equal(dirs.SocketOf("weave"), found.Source);
    }

    [Fact]
    public async Task Find_SocketInItsOwnSubdirectory_IsFound()
    {
        using var dirs = PluginDirectory.Create();
        var path = Path.Combine(dirs.Sockets, "calico", "calico.sock");
        await using var plugin = await FakePlugin.StartAsync(path);

        var found = new PluginDiscovery(dirs.Options()).Find("calico");

        Assert.Equal(path, found.Address.AbsolutePath);
    }

    [Theory]
    [InlineData("unix:///run/other/x.sock", "unix")]
    [InlineData("tcp://127.0.0.1:9999", "tcp")]
    [InlineData("  http://localhost:8080\n", "http")]
    public void Find_SpecFile_ReadsItsUrl(string content, string scheme)
    {
        using var dirs = PluginDirectory.Create();
        File.WriteAllText(Path.Combine(dirs.Specs, "kuryr.spec"), content);

        var found = new PluginDiscovery(dirs.Options()).Find("kuryr");

        Assert.Equal(scheme, found.Address.Scheme);
        Assert.Equal(new Uri(content.Trim()), found.Address);
        Assert.EndsWith("kuryr.spec", found.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_JsonFile_ReadsAddrAndTls()
    {
        using var dirs = PluginDirectory.Create();
        File.WriteAllText(Path.Combine(dirs.Specs, "secure.json"),
            """{"Name": "secure", "Addr": "https://plugins.example:7000", "TLSConfig": {"InsecureSkipVerify": false, "CAFile": "/etc/ca.pem", "CertFile": "/etc/c.pem", "KeyFile": "/etc/k.pem"}}""");

        var found = new PluginDiscovery(dirs.Options()).Find("secure");

        Assert.Equal(new Uri("https://plugins.example:7000"), found.Address);
        Assert.Equal(new PluginTls { CAFile = "/etc/ca.pem", CertFile = "/etc/c.pem", KeyFile = "/etc/k.pem" }, found.Tls);
    }

    [Fact]
    public async Task Find_SocketAndSpec_SocketWins()
    {
        using var dirs = PluginDirectory.Create();
        File.WriteAllText(Path.Combine(dirs.Specs, "both.spec"), "tcp://127.0.0.1:9");
        await using var plugin = await dirs.StartPluginAsync("both");

        Assert.Equal("unix", new PluginDiscovery(dirs.Options()).Find("both").Address.Scheme);
    }

    [Fact]
    public void Find_Missing_NotFoundNamingEveryDirectory()
    {
        using var dirs = PluginDirectory.Create();

        var e = Assert.Throws<NotFoundException>(() => new PluginDiscovery(dirs.Options()).Find("nosuch"));

        Assert.Contains("\"nosuch\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(dirs.Sockets, e.Message, StringComparison.Ordinal);
        Assert.Contains(dirs.Specs, e.Message, StringComparison.Ordinal);
        Assert.Contains("nosuch.sock", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void Find_NameThatIsNotAFileName_InvalidParameterNamingDriver(string name)
    {
        using var dirs = PluginDirectory.Create();

        var e = Assert.Throws<InvalidParameterException>(() => new PluginDiscovery(dirs.Options()).Find(name));

        Assert.Equal("driver", e.Field);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://host:21")]
    [InlineData("tcp://hostwithoutport")]
    public void Find_SpecWithUnusableAddress_UnavailableNamingTheFile(string content)
    {
        using var dirs = PluginDirectory.Create();
        var path = Path.Combine(dirs.Specs, "bad.spec");
        File.WriteAllText(path, content);

        var e = Assert.Throws<UnavailableException>(() => new PluginDiscovery(dirs.Options()).Find("bad"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_JsonWithoutAddr_UnavailableNamingTheFile()
    {
        using var dirs = PluginDirectory.Create();
        var path = Path.Combine(dirs.Specs, "empty.json");
        File.WriteAllText(path, """{"Name": "empty"}""");

        var e = Assert.Throws<UnavailableException>(() => new PluginDiscovery(dirs.Options()).Find("empty"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("Addr", e.Message, StringComparison.Ordinal);
    }
}
