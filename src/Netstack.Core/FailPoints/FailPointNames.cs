namespace Netstack.Core.FailPoints;

/// <summary>
/// Every fail point compiled into the product, in one place: <c>NETSTACK_FAILPOINT</c> accepts only
/// these names, and the fail-point matrix (tests/Netstack.Privileged.Tests/FailPoints) walks them all.
/// A name reads <c>object.verb.after-step</c>: the step has just been done (its store write is
/// durable, its kernel object exists) and the next one has not started.
/// </summary>
public static class FailPointNames
{
    // ---- network create: intent record, pools, driver, Ready record
    public const string NetworkCreateAfterIntent = "network.create.after-intent";
    public const string NetworkCreateAfterPools = "network.create.after-pools";
    public const string NetworkCreateAfterBridge = "network.create.after-bridge";
    public const string NetworkCreateAfterDriver = "network.create.after-driver";
    public const string NetworkCreateAfterReady = "network.create.after-ready";

    // ---- network rm: Deleting record, driver, record removed, pools released
    public const string NetworkRemoveAfterMark = "network.rm.after-mark";
    public const string NetworkRemoveAfterDriver = "network.rm.after-driver";
    public const string NetworkRemoveAfterRecord = "network.rm.after-record";
    public const string NetworkRemoveAfterPools = "network.rm.after-pools";

    // ---- endpoint create and join (a connect): address, intent record, driver endpoint, veth, join, interface, ports, Ready record.
    // The overlay driver's join makes the network's datapath (namespace, br0, VXLAN device) on its
    // first local endpoint, then the veth (after-veth, as the bridge driver's).
    public const string EndpointCreateAfterAddress = "endpoint.create.after-address";
    public const string EndpointCreateAfterIntent = "endpoint.create.after-intent";
    public const string EndpointCreateAfterDriver = "endpoint.create.after-driver";
    public const string EndpointJoinAfterDatapath = "endpoint.join.after-datapath";
    public const string EndpointJoinAfterVeth = "endpoint.join.after-veth";
    public const string EndpointJoinAfterDriver = "endpoint.join.after-driver";
    public const string EndpointJoinAfterInterface = "endpoint.join.after-interface";
    public const string EndpointJoinAfterReady = "endpoint.join.after-ready";

    // ---- port publish (inside a connect with ports): the driver's rules, then the controller's step
    public const string PortPublishAfterRules = "port.publish.after-rules";
    public const string PortPublishAfterDriver = "port.publish.after-driver";

    // ---- endpoint leave and delete (a disconnect): Deleting record, ports revoked, leave, driver endpoint, record removed, addresses released.
    // The overlay driver's leave deletes the veth (after-veth), then the datapath with the last local endpoint.
    public const string EndpointLeaveAfterMark = "endpoint.leave.after-mark";
    public const string EndpointLeaveAfterRevoke = "endpoint.leave.after-revoke";
    public const string EndpointLeaveAfterVeth = "endpoint.leave.after-veth";
    public const string EndpointLeaveAfterDriver = "endpoint.leave.after-driver";
    public const string EndpointDeleteAfterDriver = "endpoint.delete.after-driver";
    public const string EndpointDeleteAfterRecord = "endpoint.delete.after-record";
    public const string EndpointDeleteAfterRelease = "endpoint.delete.after-release";

    // ---- sandbox create and delete
    public const string SandboxCreateAfterIntent = "sandbox.create.after-intent";
    public const string SandboxCreateAfterNamespace = "sandbox.create.after-namespace";
    public const string SandboxCreateAfterReady = "sandbox.create.after-ready";
    public const string SandboxDeleteAfterMark = "sandbox.delete.after-mark";
    public const string SandboxDeleteAfterNamespace = "sandbox.delete.after-namespace";
    public const string SandboxDeleteAfterRecord = "sandbox.delete.after-record";

    // ---- containers
    public const string ContainerCreateAfterFiles = "container.create.after-files";
    public const string ContainerCreateAfterRecord = "container.create.after-record";
    public const string ContainerStartAfterSandbox = "container.start.after-sandbox";
    public const string ContainerStartAfterEndpoints = "container.start.after-endpoints";
    public const string ContainerStartAfterDns = "container.start.after-dns";
    public const string ContainerStartAfterRunc = "container.start.after-runc";
    public const string ContainerStartAfterRecord = "container.start.after-record";
    public const string ContainerStopAfterSignal = "container.stop.after-signal";
    public const string ContainerStopAfterExit = "container.stop.after-exit";
    public const string ContainerStopAfterRelease = "container.stop.after-release";
    public const string ContainerRemoveAfterKill = "container.rm.after-kill";
    public const string ContainerRemoveAfterBundle = "container.rm.after-bundle";
    public const string ContainerRemoveAfterFiles = "container.rm.after-files";
    public const string ContainerRemoveAfterRelease = "container.rm.after-release";

    // ---- store writes (local SQLite and global etcd alike), by the kind of record the first key
    // of the write holds: before the write is sent, and after it is durable (the caller has not
    // heard of it yet). With @N (NETSTACK_FAILPOINT=store.write.endpoints.after@2) the Nth write of
    // that kind fires.
    public const string StoreWriteNetworksBefore = "store.write.networks.before";
    public const string StoreWriteNetworksAfter = "store.write.networks.after";
    public const string StoreWriteEndpointsBefore = "store.write.endpoints.before";
    public const string StoreWriteEndpointsAfter = "store.write.endpoints.after";
    public const string StoreWriteSandboxesBefore = "store.write.sandboxes.before";
    public const string StoreWriteSandboxesAfter = "store.write.sandboxes.after";
    public const string StoreWriteIpamBefore = "store.write.ipam.before";
    public const string StoreWriteIpamAfter = "store.write.ipam.after";

    // Global store only: a host's attachment key per endpoint on a global network.
    public const string StoreWriteAttachmentsBefore = "store.write.attachments.before";
    public const string StoreWriteAttachmentsAfter = "store.write.attachments.after";

    /// <summary>Every name above, in the order of the operations' steps.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        NetworkCreateAfterIntent, NetworkCreateAfterPools, NetworkCreateAfterBridge, NetworkCreateAfterDriver, NetworkCreateAfterReady,
        NetworkRemoveAfterMark, NetworkRemoveAfterDriver, NetworkRemoveAfterRecord, NetworkRemoveAfterPools,
        EndpointCreateAfterAddress, EndpointCreateAfterIntent, EndpointCreateAfterDriver, EndpointJoinAfterDatapath, EndpointJoinAfterVeth, EndpointJoinAfterDriver,
        EndpointJoinAfterInterface, EndpointJoinAfterReady,
        PortPublishAfterRules, PortPublishAfterDriver,
        EndpointLeaveAfterMark, EndpointLeaveAfterRevoke, EndpointLeaveAfterVeth, EndpointLeaveAfterDriver, EndpointDeleteAfterDriver, EndpointDeleteAfterRecord,
        EndpointDeleteAfterRelease,
        SandboxCreateAfterIntent, SandboxCreateAfterNamespace, SandboxCreateAfterReady,
        SandboxDeleteAfterMark, SandboxDeleteAfterNamespace, SandboxDeleteAfterRecord,
        ContainerCreateAfterFiles, ContainerCreateAfterRecord,
        ContainerStartAfterSandbox, ContainerStartAfterEndpoints, ContainerStartAfterDns, ContainerStartAfterRunc, ContainerStartAfterRecord,
        ContainerStopAfterSignal, ContainerStopAfterExit, ContainerStopAfterRelease,
        ContainerRemoveAfterKill, ContainerRemoveAfterBundle, ContainerRemoveAfterFiles, ContainerRemoveAfterRelease,
        StoreWriteNetworksBefore, StoreWriteNetworksAfter, StoreWriteEndpointsBefore, StoreWriteEndpointsAfter,
        StoreWriteSandboxesBefore, StoreWriteSandboxesAfter, StoreWriteIpamBefore, StoreWriteIpamAfter,
        StoreWriteAttachmentsBefore, StoreWriteAttachmentsAfter,
    ];

    /// <summary>The store fail point for a write whose first key is <paramref name="key"/>, or null when that kind of record has none.</summary>
    public static string? StoreWrite(string key, bool after)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? key : key[..slash];
        if (kind == "names")
        {
            // names/networks/NAME, names/sandboxes/NAME: the kind of the object named.
            var rest = key[(slash + 1)..];
            var next = rest.IndexOf('/', StringComparison.Ordinal);
            kind = next < 0 ? rest : rest[..next];
        }
        return kind switch
        {
            "networks" => after ? StoreWriteNetworksAfter : StoreWriteNetworksBefore,
            "endpoints" => after ? StoreWriteEndpointsAfter : StoreWriteEndpointsBefore,
            "sandboxes" => after ? StoreWriteSandboxesAfter : StoreWriteSandboxesBefore,
            "ipam" => after ? StoreWriteIpamAfter : StoreWriteIpamBefore,
            "attachments" => after ? StoreWriteAttachmentsAfter : StoreWriteAttachmentsBefore,
            _ => null,
        };
    }
}
