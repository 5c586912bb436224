using System.Text.Json;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Serialization;
using Xunit;

namespace Netstack.Api.Tests.Contracts;

public sealed class NetworkJsonTests
{
    // The shape of GET /networks/{id} as a Docker 20.10 daemon (API 1.41) answers it.
    private const string DockerNetworkInspect = """
        {
          "Name": "web",
          "Id": "4b1f1b5c0f0e3c7a2d9e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
          "Created": "2024-05-01T10:11:12.123456789Z",
          "Scope": "local",
          "Driver": "bridge",
          "EnableIPv6": false,
          "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": [
              { "Subnet": "10.20.0.0/24", "IPRange": "10.20.0.128/25", "Gateway": "10.20.0.1", "AuxiliaryAddresses": { "router": "10.20.0.2" } }
            ]
          },
          "Internal": true,
          "Attachable": false,
          "Ingress": false,
          "ConfigFrom": { "Network": "" },
          "ConfigOnly": false,
          "Containers": {
            "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0": {
              "Name": "api",
              "EndpointID": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
              "MacAddress": "02:42:0a:14:00:80",
              "IPv4Address": "10.20.0.128/24",
              "IPv6Address": ""
            }
          },
          "Options": { "com.docker.network.bridge.enable_icc": "false" },
          "Labels": { "tier": "front" }
        }
        """;

    [Fact]
    public void NetworkResource_FromDockerJson_ReadsEveryField()
    {
        var network = JsonSerializer.Deserialize(DockerNetworkInspect, ApiJsonContext.Default.NetworkResource)!;

        Assert.Equal("web", network.Name);
        Assert.Equal("local", network.Scope);
        Assert.True(network.Internal);
        var pool = Assert.Single(network.Ipam.Config!);
        Assert.Equal("10.20.0.0/24", pool.Subnet);
        Assert.Equal("10.20.0.128/25", pool.IpRange);
        Assert.Equal("10.20.0.1", pool.Gateway);
        Assert.Equal("10.20.0.2", pool.AuxiliaryAddresses!["router"]);
        var endpoint = Assert.Single(network.Containers).Value;
        Assert.Equal("api", endpoint.Name);
        Assert.StartsWith("0a1b2c", endpoint.EndpointId, StringComparison.Ordinal);
        Assert.Equal("10.20.0.128/24", endpoint.IPv4Address);
        Assert.Equal("false", network.Options["com.docker.network.bridge.enable_icc"]);
        Assert.Equal("front", network.Labels["tier"]);
    }

    [Fact]
    public void NetworkResource_RoundTrip_KeepsTheEngineFieldNames()
    {
        var network = JsonSerializer.Deserialize(DockerNetworkInspect, ApiJsonContext.Default.NetworkResource)!;
        var json = JsonSerializer.Serialize(network, ApiJsonContext.Default.NetworkResource);

        using var ours = JsonDocument.Parse(json);
        using var docker = JsonDocument.Parse(DockerNetworkInspect);
        // Every top-level field Docker writes, we write, with the same spelling.
        foreach (var field in docker.RootElement.EnumerateObject())
        {
            Assert.True(ours.RootElement.TryGetProperty(field.Name, out _), $"missing field {field.Name}");
        }
        var config = ours.RootElement.GetProperty("IPAM").GetProperty("Config")[0];
        Assert.Equal("10.20.0.128/25", config.GetProperty("IPRange").GetString());
        var container = ours.RootElement.GetProperty("Containers").EnumerateObject().Single().Value;
        Assert.True(container.TryGetProperty("EndpointID", out _));
        Assert.True(container.TryGetProperty("IPv4Address", out _));
    }

    [Fact]
    public void NetworkCreateRequest_FromDockerCli_ReadsFieldsCaseInsensitivelyAndIgnoresUnknown()
    {
        // What docker network create sends (API 1.41), with a field a newer CLI adds.
        const string body = """
            {"Name":"web","CheckDuplicate":true,"Driver":"bridge","Scope":"","EnableIPv6":false,
             "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.20.0.0/24","Gateway":"10.20.0.1"}]},
             "Internal":false,"Attachable":true,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,
             "Options":{"com.docker.network.bridge.name":"br-web"},"Labels":{"a":"b"},"SomethingNewer":42}
            """;
        var request = JsonSerializer.Deserialize(body, ApiJsonContext.Default.NetworkCreateRequest)!;

        Assert.Equal("web", request.Name);
        Assert.True(request.Attachable);
        Assert.Equal("10.20.0.1", request.Ipam!.Config![0].Gateway);
        Assert.Equal("br-web", request.Options!["com.docker.network.bridge.name"]);

        var lower = JsonSerializer.Deserialize("""{"name":"x","ipam":{"config":[{"subnet":"10.1.0.0/16"}]}}""", ApiJsonContext.Default.NetworkCreateRequest)!;
        Assert.Equal("x", lower.Name);
        Assert.Equal("10.1.0.0/16", lower.Ipam!.Config![0].Subnet);
    }

    [Fact]
    public void NetworkConnectRequest_WithStaticAddressAndAliases_Reads()
    {
        const string body = """
            {"Container":"api","EndpointConfig":{"IPAMConfig":{"IPv4Address":"10.20.0.9"},"Aliases":["db","cache"],"DriverOpts":{"k":"v"}}}
            """;
        var request = JsonSerializer.Deserialize(body, ApiJsonContext.Default.NetworkConnectRequest)!;

        Assert.Equal("api", request.Container);
        Assert.Equal("10.20.0.9", request.EndpointConfig!.IpamConfig!.IPv4Address);
        Assert.Equal(["db", "cache"], request.EndpointConfig.Aliases!);
        Assert.Equal("v", request.EndpointConfig.DriverOpts!["k"]);
    }

    [Fact]
    public void ErrorResponse_UsesLowerCaseMessage()
    {
        var json = JsonSerializer.Serialize(new Api.Contracts.Engine.ErrorResponse { Message = "network \"x\" not found" }, ApiJsonContext.Default.ErrorResponse);

        Assert.Equal("""{"message":"network \u0022x\u0022 not found"}""", json);
    }
}
