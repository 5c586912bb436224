using System.CommandLine;
using Netstack.Api.Client;
using Netstack.Cli.Diagnostics;

namespace Netstack.Cli;

/// <summary>What every command shares: the global <c>-H/--host</c> option and how to reach the daemon.</summary>
internal sealed class CliContext
{
    /// <param name="environment">Environment variables (tests pass their own).</param>
    /// <param name="blockingIo">The API client blocks on its socket: true for the netstack process itself (faster start-up), false in-process in tests that share a thread pool with a daemon.</param>
    public CliContext(Func<string, string?>? environment = null, bool blockingIo = false)
    {
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
        BlockingIo = blockingIo;
        HostOption = new Option<string?>("--host", "-H")
        {
            Description = $"Daemon socket (default {DaemonAddress.DefaultUri}, or ${DaemonAddress.EnvironmentVariable})",
            Recursive = true,
        };
        HostOption.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                try
                {
                    DaemonAddress.Parse(token.Value);
                }
                catch (FormatException e)
                {
                    result.AddError($"invalid argument '{token.Value}' for -H/--host: {e.Message}");
                }
            }
        });
    }

    public Func<string, string?> Environment { get; }

    public bool BlockingIo { get; }

    public Option<string?> HostOption { get; }

    public DaemonAddress Address(ParseResult parse) => DaemonAddress.Resolve(parse.GetValue(HostOption), Environment);

    public ApiClient Client(ParseResult parse) => new(Address(parse), TimingTrace.Sink, BlockingIo);
}
