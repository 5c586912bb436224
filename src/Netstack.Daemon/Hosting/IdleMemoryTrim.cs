namespace Netstack.Daemon.Hosting;

/// <summary>
/// Gives back the memory a burst of work took once the burst is over. Churn (containers and
/// networks made and removed by the hundred) grows the GC heap, and an idle daemon then allocates
/// too little to cause a collection: the heap, and the RSS, would stay at the burst's size for hours.
/// Every <see cref="Period"/> this looks at how much the daemon allocated: after at least
/// <see cref="BurstBytes"/> since the last trim, a period with at most <see cref="QuietBytes"/>
/// (idle but for the firewall check and the like) gets one aggressive collection (compacting, and
/// decommitting what it freed). A busy daemon is never interrupted; an idle one costs nothing.
/// </summary>
internal sealed partial class IdleMemoryTrim(TimeProvider time, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>Allocated since the last trim before another is worth a full collection.</summary>
    public const long BurstBytes = 32L << 20;

    /// <summary>At most this allocated in the last period: the daemon is idle.</summary>
    public const long QuietBytes = 4L << 20;

    /// <summary>True when a burst of at least <see cref="BurstBytes"/> is over (the last period allocated at most <see cref="QuietBytes"/>).</summary>
    public static bool ShouldTrim(long sinceTrim, long lastPeriod) => sinceTrim >= BurstBytes && lastPeriod <= QuietBytes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        var atTrim = GC.GetTotalAllocatedBytes();
        var atTick = atTrim;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var allocated = GC.GetTotalAllocatedBytes();
                if (ShouldTrim(allocated - atTrim, allocated - atTick))
                {
                    var before = Environment.WorkingSet;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    LogTrimmed((allocated - atTrim) >> 20, before >> 20, Environment.WorkingSet >> 20);
                    allocated = GC.GetTotalAllocatedBytes();
                    atTrim = allocated;
                }
                atTick = allocated;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "idle after {AllocatedMiB} MiB of allocations: collected; working set {BeforeMiB} -> {AfterMiB} MiB")]
    private partial void LogTrimmed(long allocatedMiB, long beforeMiB, long afterMiB);
}
