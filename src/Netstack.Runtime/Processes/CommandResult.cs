namespace Netstack.Runtime.Processes;

/// <summary>How a helper process (runc, tar, mount) ended and what it printed.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The most useful line for an error message: stderr if any, else stdout.</summary>
    public string Diagnostic => (string.IsNullOrWhiteSpace(Stderr) ? Stdout : Stderr).Trim();
}
