using System.CommandLine;

namespace Netstack.Cli.Commands.Debug;

/// <summary><c>netstack debug ...</c>: looking at what the datapath does.</summary>
internal static class DebugCommand
{
    public static Command Build(CliContext context) => new("debug", "Look inside netstack's datapath: capture and decode packets")
    {
        CaptureCommand.Build(context),
    };
}
