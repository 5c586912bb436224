using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Api.Serialization;
using Xunit;

namespace Netstack.Api.Tests.Transport;

/// <summary>
/// The client writes request bodies with its serialization-only context; the daemon reads them with
/// the metadata context. Both must give the same JSON for the same object: filled in every field
/// (so a property one of them skips, renames or ignores differently shows), and left empty (null
/// and default handling).
/// </summary>
public sealed class RequestJsonTests
{
    [Fact]
    public void ContainerCreateRequest_SameJsonFromBothContexts()
    {
        var full = new ContainerCreateRequest
        {
            Hostname = "h", Domainname = "d", User = "1000:1000", AttachStdin = true, AttachStdout = true, AttachStderr = true,
            ExposedPorts = new() { ["80/tcp"] = new EmptyObject() }, Tty = true, OpenStdin = true, StdinOnce = true,
            Env = ["A=1"], Cmd = ["sleep", "1"], Image = "busybox", WorkingDir = "/w", Entrypoint = ["/bin/sh"],
            Labels = new() { ["k"] = "v" }, StopSignal = "SIGTERM", StopTimeout = 3,
            HostConfig = new HostConfig
            {
                PortBindings = new() { ["80/tcp"] = [new PortBinding { HostIp = "127.0.0.1", HostPort = "8080" }] },
                NetworkMode = "web", Dns = ["10.0.0.2"], DnsSearch = ["example"], DnsOptions = ["ndots:1"], ExtraHosts = ["a:10.0.0.3"],
                AutoRemove = true, RestartPolicy = new RestartPolicy { Name = "no", MaximumRetryCount = 1 },
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new()
                {
                    ["web"] = new EndpointSettings
                    {
                        IpamConfig = new EndpointIpamConfig { IPv4Address = "10.0.0.9", IPv6Address = "fd00::9", LinkLocalIps = ["169.254.0.9"] },
                        Links = ["l"], Aliases = ["db"], DnsNames = ["db"], NetworkId = "n", EndpointId = "e", Gateway = "10.0.0.1",
                        IPAddress = "10.0.0.9", IPPrefixLen = 24, IPv6Gateway = "fd00::1", GlobalIPv6Address = "fd00::9", GlobalIPv6PrefixLen = 64,
                        MacAddress = "02:42:0a:00:00:09", DriverOpts = new() { ["o"] = "p" },
                    },
                },
            },
        };

        AssertSame(full, RequestJsonContext.Default.ContainerCreateRequest, ApiJsonContext.Default.ContainerCreateRequest);
        AssertSame(new ContainerCreateRequest(), RequestJsonContext.Default.ContainerCreateRequest, ApiJsonContext.Default.ContainerCreateRequest);
    }

    [Fact]
    public void NetworkRequests_SameJsonFromBothContexts()
    {
        var create = new NetworkCreateRequest
        {
            Name = "web", CheckDuplicate = true, Driver = "bridge", Scope = "local", Internal = true, Attachable = true, Ingress = true,
            ConfigOnly = true, ConfigFrom = new ConfigReference { Network = "base" }, EnableIPv6 = true,
            Ipam = new IpamSettings
            {
                Driver = "default", Options = new() { ["a"] = "b" },
                Config = [new IpamPoolConfig { Subnet = "10.0.0.0/24", IpRange = "10.0.0.0/25", Gateway = "10.0.0.1", AuxiliaryAddresses = new() { ["x"] = "10.0.0.2" } }],
            },
            Options = new() { ["com.docker.network.bridge.name"] = "br-web" }, Labels = new() { ["k"] = "v" },
        };
        var connect = new NetworkConnectRequest { Container = "web1", EndpointConfig = new EndpointSettings { Aliases = ["db"] } };
        var disconnect = new NetworkDisconnectRequest { Container = "web1", Force = true };

        AssertSame(create, RequestJsonContext.Default.NetworkCreateRequest, ApiJsonContext.Default.NetworkCreateRequest);
        AssertSame(new NetworkCreateRequest(), RequestJsonContext.Default.NetworkCreateRequest, ApiJsonContext.Default.NetworkCreateRequest);
        AssertSame(connect, RequestJsonContext.Default.NetworkConnectRequest, ApiJsonContext.Default.NetworkConnectRequest);
        AssertSame(disconnect, RequestJsonContext.Default.NetworkDisconnectRequest, ApiJsonContext.Default.NetworkDisconnectRequest);
    }

    [Fact]
    public void SandboxAndExecRequests_SameJsonFromBothContexts()
    {
        AssertSame(new SandboxCreateRequest { Name = "box", Hostname = "h", Dns = ["10.0.0.2"] }, RequestJsonContext.Default.SandboxCreateRequest, ApiJsonContext.Default.SandboxCreateRequest);
        AssertSame(new ContainerExecRequest { Cmd = ["ls"], Env = ["A=1"], WorkingDir = "/", User = "0" }, RequestJsonContext.Default.ContainerExecRequest, ApiJsonContext.Default.ContainerExecRequest);
    }

    private static void AssertSame<T>(T value, JsonTypeInfo<T> client, JsonTypeInfo<T> daemon)
    {
        var written = JsonSerializer.Serialize(value, client);
        Assert.Equal(JsonSerializer.Serialize(value, daemon), written);
        // And the daemon reads back what the client wrote.
        Assert.Equal(written, JsonSerializer.Serialize(JsonSerializer.Deserialize(written, daemon)!, daemon));
    }
}
