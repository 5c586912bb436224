namespace Netstack.Daemon.Capture;

internal static class CaptureRegistration
{
    public static IServiceCollection AddCapture(this IServiceCollection services)
    {
        services.AddSingleton<CaptureTargets>();
        services.AddSingleton<CaptureStreamer>();
        services.AddSingleton<TraceRunner>();
        services.AddSingleton<RemoteTrace>();
        // After the gossip service (AddGossip comes first): it takes the running node when it starts.
        services.AddHostedService(sp => sp.GetRequiredService<RemoteTrace>());
        return services;
    }
}
