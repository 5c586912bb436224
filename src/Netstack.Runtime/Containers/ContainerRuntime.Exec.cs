namespace Netstack.Runtime.Containers;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// Runs a command in a running container (its namespaces, environment plus <paramref name="env"/>)
    /// and returns its exit status and output. Equivalent to: docker exec NAME CMD.
    /// </summary>
    public async Task<ExecResult> ExecAsync(
        string idOrName,
        IReadOnlyList<string> cmd,
        IReadOnlyList<string>? env = null,
        string? workingDir = null,
        CancellationToken cancellationToken = default)
    {
        var container = RunningForExec(idOrName, cmd, env, workingDir);
        var result = await Runc.ExecAsync(container.Info.Id, cmd, env ?? [], workingDir, cancellationToken).ConfigureAwait(false);
        return new ExecResult(ExecFailure.CodeOf(result.ExitCode, result.Stderr) ?? result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>
    /// Starts <paramref name="cmd"/> in a running container with its stdin, stdout and stderr as
    /// pipes of the caller's (<see cref="StreamExec"/>), for an exec streamed live without a terminal.
    /// Equivalent to: docker exec -i NAME CMD.
    /// </summary>
    public StreamExec StartStreamExec(string idOrName, IReadOnlyList<string> cmd, IReadOnlyList<string>? env, string? workingDir)
    {
        var container = RunningForExec(idOrName, cmd, env, workingDir);
        return new StreamExec(Runc.StartExec(container.Info.Id, cmd, env ?? [], workingDir));
    }

    /// <summary>
    /// The checks of <see cref="ExecAsync"/> and the other execs without running anything, for an
    /// exec instance made now and started later (the engine's exec create refuses bad input at once).
    /// </summary>
    public void CheckExec(string idOrName, IReadOnlyList<string> cmd, IReadOnlyList<string>? env, string? workingDir) =>
        RunningForExec(idOrName, cmd, env, workingDir);

    /// <summary>The checks every exec makes (plain or on a terminal): a command, valid env and working dir, a running container.</summary>
    private ContainerEntry RunningForExec(string idOrName, IReadOnlyList<string> cmd, IReadOnlyList<string>? env, string? workingDir)
    {
        ArgumentNullException.ThrowIfNull(cmd);
        if (cmd.Count == 0 || string.IsNullOrEmpty(cmd[0]))
        {
            throw RuntimeException.Invalid("exec cmd is empty: give the command to run");
        }
        foreach (var entry in env ?? [])
        {
            ContainerSpecValidator.ValidateEnv(entry, "exec env");
        }
        if (workingDir is not null && !workingDir.StartsWith('/'))
        {
            throw RuntimeException.Invalid($"invalid exec working dir \"{workingDir}\": must be an absolute path");
        }
        var container = Find(idOrName);
        if (container.Info.State != ContainerState.Running)
        {
            throw RuntimeException.Conflict($"container {container.Info.Name} is not running");
        }
        return container;
    }
}
