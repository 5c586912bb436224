using System.CommandLine;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Mounts;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>run</c>'s mount, DNS, environment-file, root file system and stop flags, with Docker's names
/// and syntax. Mount specs are checked as they are parsed (the daemon checks them again, and checks
/// that a bind's source exists), so a bad one is refused naming the flag before anything is sent.
/// </summary>
internal static class RunContainerOptions
{
    internal static readonly Option<string[]> Volume = new Option<string[]>("--volume", "-v") { Description = "Bind mount a host path: HOSTPATH:CONTAINERPATH[:ro|rw]" }
        .Each(v => Check(() => MountSpecs.ParseBind(v)));

    internal static readonly Option<string[]> Mount = new Option<string[]>("--mount") { Description = "Mount: type=bind,source=HOSTPATH,target=PATH[,readonly] or type=tmpfs,target=PATH[,tmpfs-size=N]" }
        .Each(v => Check(() => MountSpecs.ParseMountFlag(v)));

    internal static readonly Option<string[]> Tmpfs = new Option<string[]>("--tmpfs") { Description = "Mount a tmpfs: CONTAINERPATH[:OPTIONS] (e.g. /run:size=64m,mode=1777)" }
        .Each(v => Check(() => MountSpecs.ParseTmpfs(v)));

    internal static readonly Option<bool> ReadOnly = new("--read-only") { Description = "Mount the container's root file system read-only" };

    internal static readonly Option<string[]> DnsSearch = new Option<string[]>("--dns-search") { Description = "DNS search domain (repeatable)" }
        .Each(v => v.Length > 0 && !v.Any(char.IsWhiteSpace) ? null : "expected a domain name");

    internal static readonly Option<string[]> DnsOption = new Option<string[]>("--dns-option") { Description = "resolv.conf option, e.g. ndots:2 (repeatable)" }
        .Each(v => v.Length > 0 && !v.Any(char.IsWhiteSpace) ? null : "expected one option without blanks, e.g. ndots:2");

    internal static readonly Option<string[]> EnvFile = new("--env-file") { Description = "Read environment variables from a file (KEY=VALUE lines, # comments, KEY alone copies it from this shell)" };

    internal static readonly Option<string?> StopSignal = new Option<string?>("--stop-signal") { Description = "Signal to stop the container (default SIGTERM)" }
        .Each(v => IsSignal(v) ? null : "expected a signal name such as SIGTERM or a number 1-64");

    internal static readonly Option<int?> StopTimeout = new("--stop-timeout") { Description = "Seconds to wait for the stop signal before SIGKILL (default 10, -1 waits for ever)" };

    public static IEnumerable<Option> All => [Volume, Mount, Tmpfs, ReadOnly, DnsSearch, DnsOption, EnvFile, StopSignal, StopTimeout];

    /// <summary>Sets the flags on the request; the environment files' entries come before <c>-e</c>'s, which win.</summary>
    /// <exception cref="FormatException">An environment file that cannot be read or holds a bad line, named.</exception>
    public static void Apply(ParseResult parse, ContainerCreateRequest request, Func<string, string?> environment)
    {
        var host = request.HostConfig ??= new HostConfig();
        host.Binds = parse.GetValue(Volume) is { Length: > 0 } binds ? [.. binds] : null;
        host.Mounts = parse.GetValue(Mount) is { Length: > 0 } mounts ? [.. mounts.Select(MountSpecs.ParseMountFlag)] : null;
        if (parse.GetValue(Tmpfs) is { Length: > 0 } tmpfs)
        {
            host.Tmpfs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var flag in tmpfs)
            {
                var colon = flag.IndexOf(':', StringComparison.Ordinal);
                host.Tmpfs[colon < 0 ? flag : flag[..colon]] = colon < 0 ? "" : flag[(colon + 1)..];
            }
        }
        host.ReadonlyRootfs = parse.GetValue(ReadOnly);
        host.DnsSearch = parse.GetValue(DnsSearch) is { Length: > 0 } search ? [.. search] : null;
        host.DnsOptions = parse.GetValue(DnsOption) is { Length: > 0 } options ? [.. options] : null;
        request.StopSignal = parse.GetValue(StopSignal);
        request.StopTimeout = parse.GetValue(StopTimeout);
        if (parse.GetValue(EnvFile) is { Length: > 0 } files)
        {
            var fromFiles = files.SelectMany(f => EnvFiles.Read(f, environment)).ToList();
            request.Env = [.. fromFiles, .. request.Env ?? []];
        }
    }

    private static string? Check(Action parse)
    {
        try
        {
            parse();
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    // signal(7) names on Linux x86-64 and arm64, as docker's --stop-signal takes them.
    private static readonly HashSet<string> SignalNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
        "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    private static bool IsSignal(string value) =>
        SignalNames.Contains(value.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? value[3..] : value)
        || (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is (>= 1 and <= 31) or (>= 34 and <= 64));
}
