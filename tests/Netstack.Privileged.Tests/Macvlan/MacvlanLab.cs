using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Macvlan;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Macvlan;

/// <summary>
/// The macvlan driver on a <see cref="Segment"/>: a host namespace with the uplink, the driver
/// pointed at it, and sandboxes as namespaces. Disposing deletes the networks it made and every
/// namespace.
/// </summary>
internal sealed class MacvlanLab : DriverLab<MacvlanDriver>
{
    private MacvlanLab(TestNamespace host, Segment segment)
        : base(host, segment, NewDriver(host))
    {
        Segment = segment;
    }

    public Segment Segment { get; }

    public static MacvlanLab Create()
    {
        var (host, segment) = LabHost.Create(host => Segment.Attach(host));
        return new MacvlanLab(host, segment);
    }

    /// <summary>A controller with the macvlan driver on a host namespace wired to a <see cref="Segment"/>.</summary>
    public static Task<ControllerLab> ControllerLabAsync() =>
        ControllerLab.CreateAsync(NewDriver, host => Segment.Attach(host));

    /// <summary>A network as the controller would hand it over: the subnet with the machine as gateway.</summary>
    public static DriverNetwork Network(string subnet, IReadOnlyDictionary<string, string> options, string? gateway = null) => new()
    {
        NetworkId = ObjectId.New(),
        Name = "mv",
        Options = options,
        IPv4 = [Ipam(subnet, gateway)],
    };

    public static Dictionary<string, string> Options(string? parent, string? mode = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parent is not null)
        {
            options["parent"] = parent;
        }
        if (mode is not null)
        {
            options["macvlan_mode"] = mode;
        }
        return options;
    }

    public Task<DriverNetwork> CreateNetworkAsync(string subnet, IReadOnlyDictionary<string, string> options) =>
        CreateNetworkAsync(Network(subnet, options));

    private static MacvlanDriver NewDriver(TestNamespace host) =>
        new(new MacvlanDriverOptions { HostNamespacePath = host.Namespace.Path });
}
