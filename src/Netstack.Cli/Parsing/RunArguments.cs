namespace Netstack.Cli.Parsing;

/// <summary>
/// <c>run IMAGE CMD...</c> and <c>exec CONTAINER CMD...</c> stop reading flags at their first
/// positional argument, as docker does, so <c>netstack run busybox httpd -f -p 80</c> gives
/// <c>-f -p 80</c> to httpd. The parser reads flags anywhere, so a <c>--</c> is put in front of
/// that first positional argument.
/// </summary>
internal static class RunArguments
{
    // Flags of run and exec that take a value (and so hide the next token), plus the global -H.
    private static readonly HashSet<string> RunValueFlags = new(StringComparer.Ordinal)
    {
        "--name", "--hostname", "--network", "--net", "--ip", "--ip6", "--network-alias", "-p", "--publish",
        "--dns", "-e", "--env", "-w", "--workdir", "-u", "--user", "--entrypoint", "-l", "--label",
        "--stop-timeout", "--restart", "-H", "--host",
        "--add-host", "-m", "--memory", "--memory-swap", "--cpus", "-c", "--cpu-shares", "--pids-limit", "--cpuset-cpus",
        "-v", "--volume", "--mount", "--tmpfs", "--dns-search", "--dns-option", "--env-file", "--stop-signal",
    };

    private static readonly HashSet<string> ExecValueFlags = new(StringComparer.Ordinal)
    {
        "-e", "--env", "-w", "--workdir", "-u", "--user", "-H", "--host",
    };

    public static string[] Normalize(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verb = FindVerb(args);
        if (verb < 0)
        {
            return args;
        }
        var valueFlags = args[verb] == "run" ? RunValueFlags : ExecValueFlags;
        for (var i = verb + 1; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                return args;
            }
            if (token.StartsWith('-') && token.Length > 1)
            {
                if (valueFlags.Contains(token))
                {
                    i++;
                }
                continue;
            }
            return [.. args[..i], "--", .. args[i..]];
        }
        return args;
    }

    /// <summary>The root command named on the line: the first positional token, skipping the global <c>-H VALUE</c>; null when there is none.</summary>
    public static string? Verb(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var at = FirstPositional(args);
        return at < 0 ? null : args[at];
    }

    // run and exec, when they are the verb.
    private static int FindVerb(string[] args)
    {
        var at = FirstPositional(args);
        return at >= 0 && args[at] is "run" or "exec" ? at : -1;
    }

    private static int FirstPositional(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var token = args[i];
            if (token is "-H" or "--host")
            {
                i++;
                continue;
            }
            if (token.StartsWith('-'))
            {
                continue;
            }
            return i;
        }
        return -1;
    }
}
