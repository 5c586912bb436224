using System.CommandLine;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Resources;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>run</c>'s resource flags (Docker's names and units): each value is checked as it is parsed,
/// with the daemon's rules, so a bad one is refused naming the flag before anything is sent.
/// </summary>
internal static class RunResourceOptions
{
    internal static readonly Option<string?> Memory = new Option<string?>("--memory", "-m") { Description = "Memory limit (e.g. 64m, 1g; at least 6m)" }
        .Each(v => !ResourceLimits.TryParseBytes(v, out var b) ? "expected a size such as 512k, 64m or 1g" : ResourceLimits.CheckMemory(b));

    internal static readonly Option<string?> MemorySwap = new Option<string?>("--memory-swap") { Description = "Memory plus swap limit; -1 for unlimited swap" }
        .Each(v => v == "-1" || ResourceLimits.TryParseBytes(v, out _) ? null : "expected a size such as 128m, or -1");

    internal static readonly Option<string?> Cpus = new Option<string?>("--cpus") { Description = "Number of CPUs (e.g. 0.5)" }
        .Each(v => !ResourceLimits.TryParseCpus(v, out var n) ? "expected a number of CPUs such as 0.5" : ResourceLimits.CheckNanoCpus(n, Environment.ProcessorCount));

    internal static readonly Option<string?> CpuShares = new Option<string?>("--cpu-shares", "-c") { Description = "Relative CPU weight (1024 is the default weight)" }
        .Each(v => !long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var s) ? "expected a whole number" : ResourceLimits.CheckCpuShares(s));

    internal static readonly Option<string?> PidsLimit = new Option<string?>("--pids-limit") { Description = "Most processes at once (-1 unlimited)" }
        .Each(v => !long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var p) ? "expected a whole number" : ResourceLimits.CheckPidsLimit(p));

    internal static readonly Option<string?> CpusetCpus = new Option<string?>("--cpuset-cpus") { Description = "CPUs to run on (e.g. 0-1,3)" }
        .Each(v => ResourceLimits.CheckCpuset(v, Environment.ProcessorCount));

    public static IEnumerable<Option> All => [Memory, MemorySwap, Cpus, CpuShares, PidsLimit, CpusetCpus];

    /// <summary>Sets the limits on <paramref name="host"/>; the flags are already checked one by one.</summary>
    /// <exception cref="FormatException">Flags that contradict each other (swap below memory), named.</exception>
    public static void Apply(ParseResult parse, HostConfig host)
    {
        if (parse.GetValue(Memory) is { } memory)
        {
            ResourceLimits.TryParseBytes(memory, out var bytes);
            host.Memory = bytes;
        }
        if (parse.GetValue(MemorySwap) is { } swap)
        {
            long bytes = -1;
            if (swap != "-1")
            {
                ResourceLimits.TryParseBytes(swap, out bytes);
            }
            if (ResourceLimits.CheckMemorySwap(bytes, host.Memory) is { } why)
            {
                throw new FormatException($"invalid argument '{swap}' for --memory-swap: {why}");
            }
            host.MemorySwap = bytes;
        }
        if (parse.GetValue(Cpus) is { } cpus)
        {
            ResourceLimits.TryParseCpus(cpus, out var nano);
            host.NanoCpus = nano;
        }
        if (parse.GetValue(CpuShares) is { } shares)
        {
            host.CpuShares = long.Parse(shares, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (parse.GetValue(PidsLimit) is { } pids)
        {
            host.PidsLimit = long.Parse(pids, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture);
        }
        host.CpusetCpus = parse.GetValue(CpusetCpus);
    }
}
