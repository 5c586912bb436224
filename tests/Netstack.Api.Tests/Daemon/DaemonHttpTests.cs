using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Netstack.Core;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>The daemon's HTTP surface: versioned paths, status codes and messages, over a real unix socket.</summary>
public sealed class DaemonHttpTests : IAsyncLifetime
{
    private DaemonFixture _daemon = null!;

    public async Task InitializeAsync() => _daemon = await DaemonFixture.StartAsync();

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string> MessageOf(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("message").GetString()!;
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task Ping_AnswersWithNegotiationHeaders(string method)
    {
        using var response = await _daemon.Raw.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/_ping"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1.41", response.Headers.GetValues("API-Version").Single());
        Assert.Equal("linux", response.Headers.GetValues("OSType").Single());
        Assert.Equal(method == "GET" ? "OK" : "", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Socket_HasMode0660()
    {
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(_daemon.SocketPath));
    }

    [Theory]
    [InlineData("/v1.41/version")]
    [InlineData("/v1.24/version")]
    [InlineData("/version")]
    public async Task VersionedPaths_ReachTheSameRoute(string path)
    {
        using var response = await _daemon.Raw.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("1.41", doc.RootElement.GetProperty("ApiVersion").GetString());
        Assert.Equal("1.24", doc.RootElement.GetProperty("MinAPIVersion").GetString());
        Assert.Equal("linux", doc.RootElement.GetProperty("Os").GetString());
    }

    [Fact]
    public async Task TooNewVersion_Is400SayingTheMaximum()
    {
        using var response = await _daemon.Raw.GetAsync("/v1.47/networks");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Maximum supported API version is 1.41", await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_Is404PageNotFound()
    {
        using var response = await _daemon.Raw.GetAsync("/v1.41/volumes");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("page not found", await MessageOf(response));
    }

    [Fact]
    public async Task CreateNetwork_Valid_Is201WithIdAndMapsTheSpec()
    {
        using var response = await _daemon.Raw.PostAsync("/v1.41/networks/create", Json("""
            {"Name":"web","Driver":"bridge","Internal":true,"IPAM":{"Config":[{"Subnet":"10.20.0.0/24","Gateway":"10.20.0.1","IPRange":"10.20.0.0/25","AuxiliaryAddresses":{"r":"10.20.0.2"}}]},
             "Options":{"com.docker.network.bridge.enable_icc":"false"},"Labels":{"tier":"front"}}
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(64, doc.RootElement.GetProperty("Id").GetString()!.Length);
        var spec = _daemon.Controller.LastSpec!;
        Assert.Equal(("web", "bridge", true), (spec.Name, spec.Driver, spec.Internal));
        var pool = Assert.Single(spec.Ipam.Pools);
        Assert.Equal(("10.20.0.0/24", "10.20.0.1", "10.20.0.0/25", "10.20.0.2"), (pool.Subnet, pool.Gateway, pool.IpRange, pool.AuxAddresses["r"]));
        Assert.Equal("false", spec.Options["com.docker.network.bridge.enable_icc"]);
        Assert.Equal("front", spec.Labels["tier"]);
    }

    [Theory]
    [InlineData("{\"Name\":", "invalid JSON body")]
    [InlineData("{\"Name\":\"x\",\"Internal\":\"yes\"}", "$.Internal")]
    [InlineData("{\"Name\":\"x\",\"IPAM\":{\"Config\":{\"Subnet\":\"10.0.0.0/8\"}}}", "$.IPAM.Config")]
    [InlineData("{}", "invalid Name")]
    [InlineData("{\"Name\":\"x\",\"Ingress\":true}", "invalid Ingress")]
    [InlineData("{\"Name\":\"x\",\"Scope\":\"planet\"}", "invalid Scope \"planet\"")]
    [InlineData("{\"Name\":\"x\",\"Driver\":\"nosuch\"}", "invalid Driver \"nosuch\"")]
    public async Task CreateNetwork_BadInput_Is400NamingTheField(string body, string expected)
    {
        using var response = await _daemon.Raw.PostAsync("/v1.41/networks/create", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateNetwork_EmptyBody_Is400()
    {
        using var response = await _daemon.Raw.PostAsync("/v1.41/networks/create", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body is empty", await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateNetwork_BodyOverOneMebibyte_Is413AndCreatesNothing()
    {
        // Raw HTTP: declare a 2 MiB body and send only its start, so the answer does not race the upload.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(_daemon.SocketPath));
        var request = "POST /v1.41/networks/create HTTP/1.1\r\nHost: netstack\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n{\"Name\":\"big\",\"Labels\":{\"pad\":\"xxxx";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
            if (answer.ToString().Contains("\"}", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.StartsWith("HTTP/1.1 413", answer.ToString(), StringComparison.Ordinal);
        Assert.Contains("request body too large: the limit is 1048576 bytes", answer.ToString(), StringComparison.Ordinal);
        Assert.Null(_daemon.Controller.LastSpec);
    }

    [Fact]
    public async Task CreateNetwork_DuplicateName_Is409()
    {
        using (await _daemon.Raw.PostAsync("/networks/create", Json("""{"Name":"web"}""")))
        {
        }
        using var response = await _daemon.Raw.PostAsync("/networks/create", Json("""{"Name":"web"}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("web", await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InspectNetwork_Unknown_Is404NamingIt()
    {
        using var response = await _daemon.Raw.GetAsync("/v1.41/networks/nosuch");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("network \"nosuch\" not found", await MessageOf(response));
    }

    [Fact]
    public async Task ListNetworks_Filters_ReachTheController()
    {
        var filters = Uri.EscapeDataString("""{"name":{"web":true},"driver":{"bridge":true},"scope":{"local":true},"dangling":{"true":true}}""");
        using var response = await _daemon.Raw.GetAsync($"/v1.41/networks?filters={filters}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var filter = _daemon.Controller.LastFilter!;
        Assert.Equal(["web"], filter.Names);
        Assert.Equal(["bridge"], filter.Drivers);
        Assert.Equal([NetworkScope.Local], filter.Scopes);
        Assert.True(filter.Dangling);
    }

    [Theory]
    [InlineData("""{"colour":{"red":true}}""", "invalid filters \"colour\"")]
    [InlineData("""{"scope":{"planet":true}}""", "invalid filters.scope \"planet\"")]
    [InlineData("""not-json""", "invalid filters")]
    public async Task ListNetworks_BadFilter_Is400NamingIt(string filters, string expected)
    {
        using var response = await _daemon.Raw.GetAsync($"/v1.41/networks?filters={Uri.EscapeDataString(filters)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_WithoutContainer_Is400()
    {
        using var response = await _daemon.Raw.PostAsync("/v1.41/networks/web/connect", Json("""{"EndpointConfig":{}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid Container", await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ThenDisconnect_PassEndpointSettingsAndForce()
    {
        using var client = _daemon.Client();
        await client.CreateNetworkAsync(new() { Name = "web" });
        await client.CreateSandboxAsync(new() { Name = "box" });

        await client.ConnectNetworkAsync("web", new() { Container = "box", EndpointConfig = new() { IpamConfig = new() { IPv4Address = "172.18.0.9" }, Aliases = ["db"], MacAddress = "02:00:00:00:00:09" } });
        var spec = _daemon.Controller.LastEndpointSpec!;
        Assert.Equal(("172.18.0.9", "02:00:00:00:00:09"), (spec.IPv4Address, spec.MacAddress));
        Assert.Equal(["db"], spec.Aliases);

        var inspect = await client.InspectNetworkAsync("web");
        var endpoint = Assert.Single(inspect.Containers).Value;
        Assert.Equal(("box", "172.18.0.9/16"), (endpoint.Name, endpoint.IPv4Address));

        await client.DisconnectNetworkAsync("web", new() { Container = "box", Force = true });
        Assert.Equal(("web", "box", true), _daemon.Controller.LastDisconnect);
    }

    [Fact]
    public async Task Connect_Twice_Is409()
    {
        using var client = _daemon.Client();
        await client.CreateNetworkAsync(new() { Name = "web" });
        await client.CreateSandboxAsync(new() { Name = "box" });
        await client.ConnectNetworkAsync("web", new() { Container = "box" });

        var error = await Assert.ThrowsAsync<Client.ApiException>(() => client.ConnectNetworkAsync("web", new() { Container = "box" }));
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
    }

    [Fact]
    public async Task DeleteNetwork_Is204_ThenUnknown404()
    {
        using var client = _daemon.Client();
        await client.CreateNetworkAsync(new() { Name = "web" });

        using var first = await _daemon.Raw.DeleteAsync("/v1.41/networks/web");
        using var second = await _daemon.Raw.DeleteAsync("/v1.41/networks/web");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
    }

    [Fact]
    public async Task DeleteNetwork_InUse_Is403FromForbidden()
    {
        using var client = _daemon.Client();
        await client.CreateNetworkAsync(new() { Name = "web" });
        await client.CreateSandboxAsync(new() { Name = "box" });
        await client.ConnectNetworkAsync("web", new() { Container = "box" });

        var error = await Assert.ThrowsAsync<Client.ApiException>(() => client.RemoveNetworkAsync("web"));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("active endpoints", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_ReturnsDeletedNamesAndPassesFilters()
    {
        using var client = _daemon.Client();
        await client.CreateNetworkAsync(new() { Name = "a" });
        await client.CreateNetworkAsync(new() { Name = "b" });

        var pruned = await client.PruneNetworksAsync(new Api.Filters.FilterSet().Add("until", "10m").Add("label", "x=y"));

        Assert.Equal(["a", "b"], pruned.NetworksDeleted.Order(StringComparer.Ordinal));
        var filter = _daemon.Controller.LastPruneFilter!;
        Assert.NotNull(filter.Until);
        Assert.Equal(["x=y"], filter.Labels);
    }

    [Fact]
    public async Task Prune_BadUntil_Is400()
    {
        using var response = await _daemon.Raw.PostAsync($"/v1.41/networks/prune?filters={Uri.EscapeDataString("""{"until":{"yesterday":true}}""")}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("filters.until \"yesterday\"", await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControllerFault_Is500WithItsMessage()
    {
        _daemon.Controller.FailNext = new InternalException("netlink: RTM_NEWLINK failed: EPERM");

        using var response = await _daemon.Raw.GetAsync("/v1.41/networks");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("netlink: RTM_NEWLINK failed: EPERM", await MessageOf(response));
    }

    [Fact]
    public async Task Sandboxes_CreateListDelete()
    {
        using var client = _daemon.Client();

        var created = await client.CreateSandboxAsync(new() { Name = "box" });
        var listed = await client.ListSandboxesAsync();
        await client.RemoveSandboxAsync("box");
        var after = await client.ListSandboxesAsync();

        Assert.Equal("/run/netstack/netns/box", created.Key);
        Assert.Equal("box", Assert.Single(listed).Name);
        Assert.Empty(after);
    }

    [Fact]
    public async Task Sandbox_WithoutName_Is400()
    {
        using var response = await _daemon.Raw.PostAsync("/v1.41/sandboxes/create", Json("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid Name", await MessageOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_ReportsRootAndDrivers()
    {
        using var client = _daemon.Client();

        var info = await client.InfoAsync();

        Assert.Equal(64, info.Id.Length);
        Assert.Equal(Path.Combine(_daemon.Directory, "root"), info.DockerRootDir);
        Assert.Equal("linux", info.OsType);
    }
}
