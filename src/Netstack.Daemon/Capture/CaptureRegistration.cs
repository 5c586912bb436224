namespace Netstack.Daemon.Capture;

internal static class CaptureRegistration
{
    public static IServiceCollection AddCapture(this IServiceCollection services)
    {
        services.AddSingleton<CaptureTargets>();
        services.AddSingleton<CaptureStreamer>();
        services.AddSingleton<TraceRunner>();
        return services;
    }
}
