namespace Netstack.Daemon.Hosting;

/// <summary>
/// The production set of services: the container runtime, the network controller and the drivers.
/// Only the daemon references concrete drivers; each registers through its own extension method.
/// </summary>
internal static class Composition
{
    public static void AddProductionServices(IServiceCollection services)
    {
        services.AddContainerRuntime();
        // The controller and the drivers register here as they land:
        //   services.AddNetworkController();   (Netstack.Controller)
        //   services.AddBridgeDriver();        (drivers/Netstack.Drivers.Bridge)
        //   services.AddMacvlanDriver();       (drivers/Netstack.Drivers.Macvlan)
    }
}
