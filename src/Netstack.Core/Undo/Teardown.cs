namespace Netstack.Core;

/// <summary>
/// Teardown that tries every step, collects failures and reports them together ("clean up as much
/// as possible, then report all"), instead of stopping at the first error.
/// </summary>
public sealed class Teardown
{
    private readonly string _operation;
    private readonly List<Exception> _errors = [];

    public Teardown(string operation)
    {
        _operation = operation;
    }

    public IReadOnlyList<Exception> Errors => _errors;

    /// <summary>Runs one step; a failure is recorded and the teardown continues.</summary>
    public async Task StepAsync(string description, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            await step().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // teardown keeps going: failures are collected and thrown by ThrowIfFailed
        catch (Exception e)
#pragma warning restore CA1031
        {
            _errors.Add(new InvalidOperationException($"{description}: {e.Message}", e));
        }
    }

    /// <summary>Runs one synchronous step; a failure is recorded and the teardown continues.</summary>
    public void Step(string description, Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            step();
        }
#pragma warning disable CA1031 // see StepAsync
        catch (Exception e)
#pragma warning restore CA1031
        {
            _errors.Add(new InvalidOperationException($"{description}: {e.Message}", e));
        }
    }

    /// <summary>Throws a <see cref="TeardownException"/> naming every failed step, if any failed.</summary>
    public void ThrowIfFailed()
    {
        if (_errors.Count > 0)
        {
            throw new TeardownException(_operation, _errors.ToArray());
        }
    }
}
