# The Elixir compiler's view of where modules and functions are, for
# app/chunk's agreement test. Run with the real elixir:
#
#   elixir compiler_view.exs FILE...
#
# For every defmodule/defprotocol/defimpl at the top of a file or directly in
# a module body, and every def/defp/defmacro/defmacrop/defguard/defguardp/
# defdelegate directly in a module body, it prints one tab-separated line:
#
#   module   FILE  KIND  NAME          START  END
#   function FILE  KIND  NAME/ARITY    START  END  DEFAULTS
#
# from Code.string_to_quoted_with_comments(columns: true, token_metadata:
# true). START is the line of the first clause's first @doc/@spec/@impl/
# @deprecated/@since directly above it (or of the def), moved up over a
# block of own-line comments directly above; END is the last clause's last
# line: the `end:` of its do-block, else its `end_of_expression`, else (the
# last expression of a body) the last line before the body's `end` that is
# not blank or an own-line comment. Names follow app/chunk/DESIGN.md: nested
# modules are qualified, `defimpl P, for: T` is P.T. It also prints
#
#   skipped  FILE  dynamic|nested  COUNT
#
# for defs whose name is not an atom (`def unquote(name)(…)`) and for defs
# that are not directly in a module body (inside if/for/quote/…), which
# neither side compares; and `error FILE MESSAGE` for files that do not parse.

defmodule CompilerView do
  @defs [:def, :defp, :defmacro, :defmacrop, :defguard, :defguardp, :defdelegate]
  @modules [:defmodule, :defprotocol, :defimpl]
  @attached [:doc, :spec, :impl, :deprecated, :since]

  def main(paths), do: Enum.each(paths, &file/1)

  def file(path) do
    src = File.read!(path)

    case Code.string_to_quoted_with_comments(src,
           columns: true,
           token_metadata: true,
           file: path,
           emit_warnings: false
         ) do
      {:ok, ast, comments} ->
        own = for c <- comments, c.previous_eol_count > 0, into: MapSet.new(), do: c.line
        lines = src |> String.split("\n") |> List.to_tuple()
        exs = Path.extname(path) == ".exs"
        ctx = %{path: path, own: own, lines: lines, dynamic: 0, exs: exs}
        ctx = body(exprs(ast), nil, tuple_size(lines) + 1, ctx)
        nested = count_defs(ast) - ctx.counted

        if ctx.dynamic > 0, do: out(["skipped", path, "dynamic", ctx.dynamic])
        if nested > 0, do: out(["skipped", path, "nested", nested])

      {:error, err} ->
        out(["error", path, inspect(err)])
    end
  end

  defp out(fields), do: IO.puts(Enum.map_join(fields, "\t", &to_string/1))

  defp exprs({:__block__, _, list}) when is_list(list), do: list
  defp exprs(nil), do: []
  defp exprs(other), do: [other]

  # body walks one module body (or the file); end_line is the line of the
  # body's `end` (past the last line for the file).
  defp body(list, mod, end_line, ctx) do
    ctx = Map.put_new(ctx, :counted, 0)
    indexed = Enum.with_index(list)

    {groups, ctx} =
      Enum.reduce(indexed, {[], ctx}, fn {expr, i}, {groups, ctx} ->
        case expr do
          {kind, meta, args} when kind in @modules and is_list(args) ->
            {name, block} = module_name(kind, args, mod)
            first = comments_above(meta[:line], ctx)
            last = meta[:end][:line] || expr_end(meta, list, i, end_line, ctx)
            out(["module", ctx.path, kind, name, first, last])
            ctx = body(exprs(block), name, meta[:end][:line] || last, ctx)
            {groups, ctx}

          {:describe, meta, [_, [do: block]]} when ctx.exs and mod != nil ->
            ctx = body(exprs(block), mod, meta[:end][:line], ctx)
            {groups, ctx}

          {kind, meta, [head | _]} when kind in @defs and mod != nil ->
            ctx = %{ctx | counted: ctx.counted + 1}

            case head_name(head) do
              {name, arity, defaults} ->
                first = comments_above(attached_line(list, i, meta[:line]), ctx)
                last = expr_end(meta, list, i, end_line, ctx)
                key = "#{mod}.#{name}/#{arity}"
                {add_clause(groups, key, kind, first, last, defaults), ctx}

              :dynamic ->
                {groups, %{ctx | dynamic: ctx.dynamic + 1}}
            end

          _ ->
            {groups, ctx}
        end
      end)

    for {key, kind, first, last, defaults} <- Enum.reverse(groups) do
      out(["function", ctx.path, kind, key, first, last, defaults])
    end

    ctx
  end

  defp add_clause(groups, key, kind, first, last, defaults) do
    case List.keyfind(groups, key, 0) do
      {^key, k, f, l, d} ->
        List.keyreplace(groups, key, 0, {key, k, min(f, first), max(l, last), max(d, defaults)})

      nil ->
        [{key, kind, first, last, defaults} | groups]
    end
  end

  defp head_name({:when, _, [head | _]}), do: head_name(head)

  defp head_name({name, _, args}) when is_atom(name) do
    args = if is_list(args), do: args, else: []
    {name, length(args), Enum.count(args, &match?({:\\, _, _}, &1))}
  end

  defp head_name(_), do: :dynamic

  # attached_line: the line of the first of the @doc/@spec/… expressions
  # directly before expression i, or line.
  defp attached_line(list, i, line) do
    list
    |> Enum.take(i)
    |> Enum.reverse()
    |> Enum.take_while(&match?({:@, _, [{a, _, _}]} when a in @attached, &1))
    |> List.last()
    |> case do
      nil -> line
      {:@, meta, _} -> meta[:line]
    end
  end

  defp comments_above(line, ctx) do
    if MapSet.member?(ctx.own, line - 1), do: comments_above(line - 1, ctx), else: line
  end

  # expr_end is the last line of expression i of list.
  defp expr_end(meta, list, i, end_line, ctx) do
    cond do
      meta[:end] -> meta[:end][:line]
      meta[:end_of_expression] -> meta[:end_of_expression][:line]
      i == length(list) - 1 -> last_code_line(end_line, ctx)
      true -> raise "no end for expression #{i} at line #{meta[:line]} of #{ctx.path}"
    end
  end

  # last_code_line: the line the body's last expression ends on, given the
  # line of the body's `end` — the line itself if `end` is not the first
  # thing on it, else the closest line above that is neither blank nor an
  # own-line comment.
  defp last_code_line(end_line, ctx) do
    text = if end_line <= tuple_size(ctx.lines), do: elem(ctx.lines, end_line - 1), else: ""

    if end_line <= tuple_size(ctx.lines) and not String.starts_with?(String.trim_leading(text), "end") do
      end_line
    else
      Enum.find((end_line - 1)..1//-1, 1, fn l ->
        t = String.trim(elem(ctx.lines, l - 1))
        t != "" and not MapSet.member?(ctx.own, l)
      end)
    end
  end

  defp module_name(:defimpl, args, mod) do
    {kws, [proto | _]} = split_keywords(args)
    target =
      case Keyword.fetch(kws, :for) do
        {:ok, list} when is_list(list) -> "{" <> Enum.map_join(list, ",", &alias_text(&1, mod)) <> "}"
        {:ok, t} -> alias_text(t, mod)
        :error -> mod || "?"
      end

    {alias_text(proto, mod) <> "." <> target, kws[:do]}
  end

  defp module_name(_kind, args, mod) do
    {kws, [name | _]} = split_keywords(args)

    text =
      case name do
        {:__aliases__, _, [first | rest]} when is_atom(first) and mod != nil and (first != :Elixir or rest == []) ->
          mod <> "." <> alias_text(name, mod)

        _ ->
          alias_text(name, mod)
      end

    {text, kws[:do]}
  end

  # split_keywords separates the trailing keyword lists (for:, do:) from
  # the positional arguments.
  defp split_keywords(args) do
    {kws, pos} = Enum.split_with(args, &Keyword.keyword?/1)
    {Enum.concat(kws), pos}
  end

  defp alias_text({:__aliases__, _, [{:__MODULE__, _, _} | rest]}, mod) when mod != nil,
    do: Enum.join([mod | rest], ".")

  defp alias_text({:__aliases__, _, [:Elixir | rest]}, _) when rest != [], do: Enum.join(rest, ".")
  defp alias_text({:__aliases__, _, parts}, _), do: Enum.map_join(parts, ".", &part_text/1)
  defp alias_text({:__MODULE__, _, _}, mod) when mod != nil, do: mod
  defp alias_text(atom, _) when is_atom(atom), do: inspect(atom)
  defp alias_text(other, _), do: Macro.to_string(other)

  defp part_text(atom) when is_atom(atom), do: Atom.to_string(atom)
  defp part_text(other), do: Macro.to_string(other)

  # count_defs counts every def-like call anywhere in the file.
  defp count_defs(ast) do
    {_, n} =
      Macro.prewalk(ast, 0, fn
        {kind, _, [_ | _]} = node, n when kind in @defs -> {node, n + 1}
        node, n -> {node, n}
      end)

    n
  end
end

CompilerView.main(System.argv())
