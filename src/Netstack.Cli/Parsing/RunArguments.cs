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

    // The verb is the first positional token, skipping the global -H VALUE.
    private static int FindVerb(string[] args)
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
            return token is "run" or "exec" ? i : -1;
        }
        return -1;
    }
}
