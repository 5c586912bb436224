using Netstack.Core;
using Xunit;

namespace Netstack.Controller.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly ControllerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task HundredConcurrentConnects_OneNetwork_AllSucceedWithUniqueAddresses()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        for (var i = 0; i < 100; i++)
        {
            await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = $"s{i}" });
        }

        var endpoints = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => _f.Controller.ConnectAsync("web", $"s{i}"))));

        Assert.Equal(100, endpoints.Select(e => e.IPv4Address).Distinct().Count());
        Assert.Equal(100, endpoints.Select(e => e.MacAddress).Distinct().Count());
        Assert.DoesNotContain(endpoints, e => e.IPv4Address!.Value.Address.ToString() == "10.20.0.1");
        Assert.Equal(100, (await _f.Controller.ListEndpointsAsync("web")).Count);
    }

    [Fact]
    public async Task ConcurrentConnectsToOneSandbox_DistinctInterfaceNames()
    {
        for (var i = 0; i < 8; i++)
        {
            await _f.CreateNetworkAsync($"n{i}", $"10.{i}.0.0/24");
        }
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "multi" });

        var endpoints = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => _f.Controller.ConnectAsync($"n{i}", "multi"))));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"eth{i}").Order(), endpoints.Select(e => e.InterfaceName).Order());
        Assert.Equal(8, _f.Kernel.Namespaces[sandbox.Key].Count);
    }

    [Fact]
    public async Task DeleteRacingConnects_NoEndpointOutlivesItsNetwork()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        for (var i = 0; i < 20; i++)
        {
            await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = $"s{i}" });
        }

        var connects = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await _f.Controller.ConnectAsync("web", $"s{i}");
                return true;
            }
            catch (NetstackException)
            {
                return false;
            }
        })).ToArray();
        var delete = Task.Run(async () =>
        {
            try
            {
                await _f.Controller.DeleteNetworkAsync("web");
                return true;
            }
            catch (NetstackException)
            {
                return false;
            }
        });
        await Task.WhenAll(connects);
        var deleted = await delete;

        var endpoints = await _f.Store.ListAsync("endpoints/");
        if (deleted)
        {
            Assert.Empty(endpoints);
            Assert.Empty(_f.Kernel.DriverEndpoints);
        }
        else
        {
            Assert.Equal(connects.Count(c => c.Result), endpoints.Count);
        }
    }
}
