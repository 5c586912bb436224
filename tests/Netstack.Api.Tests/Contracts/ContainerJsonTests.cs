using System.Text.Json;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Serialization;
using Xunit;

namespace Netstack.Api.Tests.Contracts;

public sealed class ContainerJsonTests
{
    [Fact]
    public void ContainerCreateRequest_FromDockerRunBody_ReadsPortsNetworksAndEnv()
    {
        // The parts of docker run's POST /containers/create body that netstack honours.
        const string body = """
            {"Hostname":"web1","Env":["A=1"],"Cmd":["httpd","-f","-p","80"],"Image":"busybox",
             "ExposedPorts":{"80/tcp":{}},
             "HostConfig":{"NetworkMode":"front","PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},"Dns":["10.0.0.53"],"AutoRemove":true},
             "NetworkingConfig":{"EndpointsConfig":{"front":{"IPAMConfig":{"IPv4Address":"10.20.0.5"},"Aliases":["www"]}}}}
            """;
        var request = JsonSerializer.Deserialize(body, ApiJsonContext.Default.ContainerCreateRequest)!;

        Assert.Equal("busybox", request.Image);
        Assert.Equal(["httpd", "-f", "-p", "80"], request.Cmd!);
        Assert.True(request.ExposedPorts!.ContainsKey("80/tcp"));
        var binding = Assert.Single(request.HostConfig!.PortBindings!["80/tcp"]);
        Assert.Equal("127.0.0.1", binding.HostIp);
        Assert.Equal("8080", binding.HostPort);
        Assert.True(request.HostConfig.AutoRemove);
        Assert.Equal("10.20.0.5", request.NetworkingConfig!.EndpointsConfig!["front"].IpamConfig!.IPv4Address);
    }

    [Fact]
    public void ContainerCreateRequest_Serialized_WritesExposedPortsAsEmptyObjects()
    {
        var request = new ContainerCreateRequest
        {
            Image = "busybox",
            ExposedPorts = new Dictionary<string, EmptyObject> { ["53/udp"] = new() },
        };
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(request, ApiJsonContext.Default.ContainerCreateRequest));

        var exposed = doc.RootElement.GetProperty("ExposedPorts").GetProperty("53/udp");
        Assert.Equal(JsonValueKind.Object, exposed.ValueKind);
        Assert.Empty(exposed.EnumerateObject());
    }

    [Fact]
    public void ContainerInspect_Serialized_HasNetworkSettingsNetworksWithEngineNames()
    {
        var inspect = new ContainerInspect
        {
            Id = "abc",
            Name = "/web",
            NetworkSettings = new ContainerNetworkSettings
            {
                SandboxKey = "/run/netstack/netns/web",
                Networks = { ["front"] = new Api.Contracts.Networks.EndpointSettings { IPAddress = "10.20.0.5", IPPrefixLen = 24, NetworkId = "n1", EndpointId = "e1" } },
            },
        };
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(inspect, ApiJsonContext.Default.ContainerInspect));

        var front = doc.RootElement.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("front");
        Assert.Equal("10.20.0.5", front.GetProperty("IPAddress").GetString());
        Assert.Equal(24, front.GetProperty("IPPrefixLen").GetInt32());
        Assert.Equal("n1", front.GetProperty("NetworkID").GetString());
        Assert.Equal("e1", front.GetProperty("EndpointID").GetString());
    }
}
