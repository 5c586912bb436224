using Netstack.Core.Drivers;

namespace Netstack.Daemon.Hosting;

/// <summary>
/// Wraps each network driver before it enters the driver registry (the controller and every other
/// caller then see the wrapper). The Docker plugin uses it to add its own networks to the
/// controller's reconcile call, so that neither side's reconcile removes the other's objects.
/// </summary>
internal interface INetworkDriverDecorator
{
    INetworkDriver Decorate(INetworkDriver driver);
}
