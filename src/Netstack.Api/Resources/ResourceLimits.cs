using System.Globalization;

namespace Netstack.Api.Resources;

/// <summary>
/// Parsing and checking of container resource limits, shared by the CLI (flags) and the daemon
/// (HostConfig), with Docker's rules and bounds: each check returns why a value is refused, or null.
/// </summary>
public static class ResourceLimits
{
    /// <summary>Docker's floor for <c>--memory</c>: below it the container cannot even start its init.</summary>
    public const long MinMemoryBytes = 6 * 1024 * 1024;

    /// <summary>The CFS period Docker uses for <c>--cpus</c> (100 ms), in microseconds.</summary>
    public const long CpuPeriodMicros = 100_000;

    /// <summary>cgroup v1 cpu.shares bounds, as Docker clamps them (runc maps shares to v2's cpu.weight).</summary>
    public const long MinCpuShares = 2;

    public const long MaxCpuShares = 262_144;

    /// <summary>Bytes of a size as Docker's CLI reads it: a number with an optional b, k, m, g (powers of 1024, case-insensitive).</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var unit = char.ToLowerInvariant(text[^1]);
        var (digits, multiplier) = unit switch
        {
            'b' => (text[..^1], 1L),
            'k' => (text[..^1], 1024L),
            'm' => (text[..^1], 1024L * 1024),
            'g' => (text[..^1], 1024L * 1024 * 1024),
            't' => (text[..^1], 1024L * 1024 * 1024 * 1024),
            _ => (text, 1L),
        };
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }
        var result = value * multiplier;
        if (result > long.MaxValue)
        {
            return false;
        }
        bytes = (long)result;
        return true;
    }

    /// <summary><c>--cpus</c> as nano-CPUs (Docker's NanoCpus): a decimal number of CPUs.</summary>
    public static bool TryParseCpus(string text, out long nanoCpus)
    {
        nanoCpus = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cpus)
            || cpus > long.MaxValue / 1_000_000_000m)
        {
            return false;
        }
        nanoCpus = (long)(cpus * 1_000_000_000m);
        return true;
    }

    public static string? CheckMemory(long memory) =>
        memory is > 0 and < MinMemoryBytes ? $"minimum memory limit allowed is 6MB ({MinMemoryBytes} bytes)"
        : memory < 0 ? "must be a positive size" : null;

    /// <summary>Swap is memory plus swap: -1 is unlimited, otherwise at least the memory limit, which it needs.</summary>
    public static string? CheckMemorySwap(long memorySwap, long memory) =>
        memorySwap is 0 or -1 ? null
        : memorySwap < -1 ? "must be -1 (unlimited) or a size"
        : memory <= 0 ? "needs a memory limit (--memory) as well"
        : memorySwap < memory ? "must be at least the memory limit: it is memory plus swap"
        : null;

    public static string? CheckNanoCpus(long nanoCpus, int processorCount) =>
        nanoCpus < 0 ? "must not be negative"
        : nanoCpus > 0 && nanoCpus < 10_000_000 ? "must be at least 0.01"
        : nanoCpus > processorCount * 1_000_000_000L ? $"range of CPUs is from 0.01 to {processorCount}.00, as there are only {processorCount} CPUs available"
        : null;

    public static string? CheckCpuShares(long shares) =>
        shares < 0 ? "must not be negative"
        : shares > MaxCpuShares ? $"must be at most {MaxCpuShares}"
        : null;

    public static string? CheckPidsLimit(long pids) =>
        pids < -1 ? "must be -1 or 0 (unlimited) or a positive number" : null;

    /// <summary>A cpuset list (<c>0-2,4</c>) whose CPUs all exist (0 to <paramref name="processorCount"/> - 1).</summary>
    public static string? CheckCpuset(string cpuset, int processorCount)
    {
        if (cpuset.Length == 0)
        {
            return null;
        }
        foreach (var part in cpuset.Split(','))
        {
            var range = part.Split('-');
            if (range.Length > 2 || range.Any(r => !int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                return "expected a list of CPUs and ranges such as 0-1,3";
            }
            var low = int.Parse(range[0], CultureInfo.InvariantCulture);
            var high = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (high < low)
            {
                return $"range {part} runs backwards";
            }
            if (high >= processorCount)
            {
                return $"CPU {high} does not exist: this machine has CPUs 0-{processorCount - 1}";
            }
        }
        return null;
    }
}
