namespace Netstack.Core;

/// <summary>
/// Makes a multi-step operation all-or-nothing. After each step succeeds, push its undo; if a later
/// step fails, <see cref="RollbackAsync"/> (or disposing without <see cref="Commit"/>) runs the undos
/// in reverse order, every one of them even when some fail.
/// </summary>
/// <example>
/// <code>
/// await using var undo = new UndoStack();
/// await driver.CreateNetworkAsync(request, ct);
/// undo.Push("delete network in driver", _ => driver.DeleteNetworkAsync(id, CancellationToken.None));
/// await store.PutAsync(...);   // throws: the driver network is deleted on dispose
/// undo.Commit();
/// </code>
/// </example>
public sealed class UndoStack : IAsyncDisposable
{
    private readonly Stack<(string Description, Func<CancellationToken, Task> Undo)> _steps = new();
    private readonly List<Exception> _errors = [];
    private bool _committed;

    /// <summary>Errors raised by undos during the last rollback.</summary>
    public IReadOnlyList<Exception> RollbackErrors => _errors;

    /// <summary>Number of registered undos.</summary>
    public int Count => _steps.Count;

    /// <summary>Registers the undo of a step that has just succeeded.</summary>
    public void Push(string description, Func<CancellationToken, Task> undo)
    {
        ArgumentNullException.ThrowIfNull(undo);
        _steps.Push((description, undo));
    }

    /// <summary>Registers a synchronous undo.</summary>
    public void Push(string description, Action undo)
    {
        ArgumentNullException.ThrowIfNull(undo);
        _steps.Push((description, _ =>
        {
            undo();
            return Task.CompletedTask;
        }));
    }

    /// <summary>The operation succeeded: forget the undos.</summary>
    public void Commit()
    {
        _committed = true;
        _steps.Clear();
    }

    /// <summary>
    /// Runs every registered undo in reverse order. Undos must not be cancelled half-way, so they
    /// get <see cref="CancellationToken.None"/>. Returns the errors (also kept in <see cref="RollbackErrors"/>).
    /// </summary>
    public async Task<IReadOnlyList<Exception>> RollbackAsync()
    {
        while (_steps.TryPop(out var step))
        {
            try
            {
                await step.Undo(CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // rollback keeps going: every undo is tried, failures are collected
            catch (Exception e)
#pragma warning restore CA1031
            {
                _errors.Add(new InvalidOperationException($"undo \"{step.Description}\" failed: {e.Message}", e));
            }
        }
        return _errors;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            await RollbackAsync().ConfigureAwait(false);
        }
    }
}
