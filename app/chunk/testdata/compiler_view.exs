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
# true). START is the line of the first clause's first attached attribute
# (see attached_line: @doc/@spec/@impl/@deprecated/@since and the
# @compile, @dialyzer and other attributes among or glued to them) or of
# the def, moved up over a block of own-line comments directly above; END is the last clause's last
# line: the `end:` of its do-block, else its `end_of_expression`, else (the
# last expression of a body) the last line before the body's `end` that is
# not blank or an own-line comment. Names follow app/chunk/DESIGN.md: nested
# modules are qualified, `defimpl P, for: T` is P.T with P and T expanded
# through the aliases in effect there (`alias`, and those nested modules
# define), as Kernel.defmodule and Protocol.__impl__ expand them; after
# `defoverridable f: 1` a def of f/1 starts a new definition, printed as a
# line of its own with the same name. It also prints
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
  @options [:compile, :dialyzer]
  @own [:moduledoc, :shortdoc, :typedoc, :type, :typep, :opaque, :callback, :macrocallback] ++
         [:optional_callbacks, :behaviour, :moduletag, :tag, :describetag]

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
        ctx = %{path: path, own: own, lines: lines, dynamic: 0, exs: exs, aliases: %{}}
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
    outer_aliases = ctx.aliases
    indexed = Enum.with_index(list)

    {groups, ctx} =
      Enum.reduce(indexed, {[], ctx}, fn {expr, i}, {groups, ctx} ->
        case expr do
          {kind, meta, args} when kind in @modules and is_list(args) ->
            {name, block} = module_name(kind, args, mod, ctx.aliases)
            ctx = %{ctx | aliases: module_alias(kind, args, mod, ctx.aliases)}
            first = comments_above(meta[:line], ctx)
            last = meta[:end][:line] || expr_end(meta, list, i, end_line, ctx)
            out(["module", ctx.path, kind, name, first, last])
            ctx = body(exprs(block), name, meta[:end][:line] || last, ctx)
            {groups, ctx}

          {:describe, meta, [_, [do: block]]} when ctx.exs and mod != nil ->
            ctx = body(exprs(block), mod, meta[:end][:line], ctx)
            {groups, ctx}

          {:alias, _, [target | opts]} ->
            {groups, %{ctx | aliases: declare_alias(target, opts, mod, ctx.aliases)}}

          {:defoverridable, _, [arg]} when mod != nil ->
            {override(groups, arg, mod), ctx}

          {kind, meta, [head | _]} when kind in @defs and mod != nil ->
            ctx = %{ctx | counted: ctx.counted + 1}

            case head_name(head) do
              {name, arity, defaults} ->
                first = comments_above(attached_line(list, i, meta[:line], ctx), ctx)
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
      out(["function", ctx.path, kind, name_of(key), first, last, defaults])
    end

    %{ctx | aliases: outer_aliases}
  end

  # override closes the groups of the functions defoverridable names (all
  # for the form naming a behaviour): a def of one of them after it is a
  # new definition, not another clause.
  defp override(groups, arg, mod) do
    keys =
      if Keyword.keyword?(arg),
        do: for({name, arity} <- arg, do: "#{mod}.#{name}/#{arity}"),
        else: :all

    for {key, k, f, l, d} <- groups do
      if is_binary(key) and (keys == :all or key in keys),
        do: {{key, make_ref()}, k, f, l, d},
        else: {key, k, f, l, d}
    end
  end

  defp name_of({key, _ref}), do: key
  defp name_of(key), do: key

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

  # attached_line: the line of the first attribute attached above
  # expression i (at line), or line. Of the attributes directly before it,
  # @doc/@spec/@impl/@deprecated/@since attach however far apart; @compile
  # and @dialyzer when below one of those or with no blank line (own-line
  # comments are fine) between them and the def or the next attached one;
  # any other attribute only below one of those. Attributes that declare
  # something of their own (@type, @callback, @moduledoc, …) end the run.
  defp attached_line(list, i, line, ctx) do
    list
    |> Enum.take(i)
    |> Enum.reverse()
    |> Enum.take_while(&match?({:@, _, [{a, _, args}]} when is_atom(a) and is_list(args) and a not in @own, &1))
    |> Enum.reduce({line, line, true}, fn {:@, meta, [{a, _, _}]}, {first, below, glued} ->
      glued = glued and glued?(meta[:end_of_expression][:line], below, ctx)

      cond do
        a in @attached -> {meta[:line], meta[:line], true}
        a in @options and glued -> {meta[:line], meta[:line], true}
        true -> {first, meta[:line], glued}
      end
    end)
    |> elem(0)
  end

  # glued?: only own-line comments between line last and line next.
  defp glued?(last, next, ctx),
    do: Enum.all?((last + 1)..(next - 1)//1, &MapSet.member?(ctx.own, &1))

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

  defp module_name(:defimpl, args, mod, aliases) do
    {kws, [proto | _]} = split_keywords(args)
    target =
      case Keyword.fetch(kws, :for) do
        {:ok, list} when is_list(list) -> "{" <> Enum.map_join(list, ",", &expand(&1, mod, aliases)) <> "}"
        {:ok, t} -> expand(t, mod, aliases)
        :error -> mod || "?"
      end

    {expand(proto, mod, aliases) <> "." <> target, kws[:do]}
  end

  defp module_name(_kind, args, mod, aliases) do
    {kws, [name | _]} = split_keywords(args)

    text =
      case name do
        {:__aliases__, _, [first | rest]} when is_atom(first) and mod != nil and (first != :Elixir or rest == []) ->
          mod <> "." <> alias_text(name, mod)

        _ when mod == nil ->
          expand(name, mod, aliases)

        _ ->
          alias_text(name, mod)
      end

    {text, kws[:do]}
  end

  # module_alias adds the alias a module nested in mod defines: `defmodule
  # Sub.X` aliases Sub to mod.Sub (Kernel.defmodule's alias_defmodule).
  defp module_alias(kind, [{:__aliases__, _, [h | _]} | _], mod, aliases)
       when kind != :defimpl and mod != nil and is_atom(h) and h != :Elixir,
       do: Map.put(aliases, h, mod <> "." <> Atom.to_string(h))

  defp module_alias(_kind, _args, _mod, aliases), do: aliases

  # declare_alias adds what `alias target, opts` declares.
  defp declare_alias({:__aliases__, _, _} = target, opts, mod, aliases) do
    full = expand(target, mod, aliases)

    as =
      case opts do
        [kw | _] when is_list(kw) -> kw[:as]
        _ -> nil
      end

    key =
      case as do
        {:__aliases__, _, [a]} when is_atom(a) -> a
        _ -> full |> String.split(".") |> List.last() |> String.to_atom()
      end

    Map.put(aliases, key, full)
  end

  defp declare_alias({{:., _, [base, :{}]}, _, names}, _opts, mod, aliases) do
    base = expand(base, mod, aliases)

    Enum.reduce(names, aliases, fn
      {:__aliases__, _, parts} = n, acc when is_list(parts) ->
        Map.put(acc, List.last(parts), base <> "." <> alias_text(n, mod))

      _, acc ->
        acc
    end)
  end

  defp declare_alias(_target, _opts, _mod, aliases), do: aliases

  # expand is a module name with its first segment expanded through the
  # aliases, as the compiler expands it.
  defp expand({:__aliases__, _, [first | rest]} = name, mod, aliases) when is_atom(first) do
    case aliases do
      %{^first => full} -> Enum.join([full | Enum.map(rest, &part_text/1)], ".")
      _ -> alias_text(name, mod)
    end
  end

  defp expand(name, mod, _aliases), do: alias_text(name, mod)

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
