//! Breaks containment cycles: a type that contains itself by value (directly, through
//! `Option`, a tuple or another type) gets `Box` on the edges inside its cycle.
//! `Vec` and maps already allocate, so they never need a box.

use super::ir::{Ty, TypeDef, TypeId, TypeKind};

/// Named types a type expression holds by value.
fn by_value(ty: &Ty, out: &mut Vec<TypeId>) {
    match ty {
        Ty::Named(id) => out.push(*id),
        Ty::Option(t) => by_value(t, out),
        Ty::Tuple(ts) => ts.iter().for_each(|t| by_value(t, out)),
        _ => {}
    }
}

fn edges(def: &TypeDef) -> Vec<TypeId> {
    let mut out = Vec::new();
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().for_each(|f| by_value(&f.ty, &mut out)),
        TypeKind::Union(u) => u.variants.iter().for_each(|v| by_value(&v.ty, &mut out)),
        TypeKind::Alias(t) => by_value(t, &mut out),
        TypeKind::StringEnum(_) => {}
    }
    out
}

/// Strongly connected components (Tarjan), as a component number per type.
fn components(types: &[TypeDef]) -> Vec<usize> {
    struct State<'a> {
        graph: Vec<Vec<TypeId>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        comp: Vec<usize>,
        comps: usize,
        _types: &'a [TypeDef],
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for w in s.graph[v].clone() {
            let w = w.0;
            if w >= s.index.len() {
                continue;
            }
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                s.comp[w] = s.comps;
                if w == v {
                    break;
                }
            }
            s.comps += 1;
        }
    }
    let n = types.len();
    let mut s = State {
        graph: types.iter().map(edges).collect(),
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        comp: vec![0; n],
        comps: 0,
        _types: types,
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.comp
}

/// Boxes every by-value edge that stays inside a cycle.
pub fn break_cycles(types: &mut [TypeDef]) {
    let comp = components(types);
    let in_cycle = |from: usize, to: TypeId| to.0 < comp.len() && comp[from] == comp[to.0];
    for (i, def) in types.iter_mut().enumerate() {
        let boxify = |ty: &mut Ty| box_edges(ty, &|id| in_cycle(i, id));
        match &mut def.kind {
            TypeKind::Struct(s) => s.fields.iter_mut().for_each(|f| boxify(&mut f.ty)),
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| boxify(&mut v.ty)),
            TypeKind::Alias(t) => boxify(t),
            TypeKind::StringEnum(_) => {}
        }
    }
}

fn box_edges(ty: &mut Ty, cyclic: &impl Fn(TypeId) -> bool) {
    match ty {
        Ty::Named(id) if cyclic(*id) => *ty = Ty::Boxed(Box::new(ty.clone())),
        Ty::Option(t) => box_edges(t, cyclic),
        Ty::Tuple(ts) => ts.iter_mut().for_each(|t| box_edges(t, cyclic)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::pointer::JsonPointer;
    use crate::model::ir::{Field, Struct};
    use crate::model::names::Name;

    fn def(fields: Vec<Ty>) -> TypeDef {
        let fields = fields
            .into_iter()
            .enumerate()
            .map(|(i, ty)| Field {
                ident: format!("f{i}"),
                wire: format!("f{i}"),
                ty,
                required: true,
                access: Default::default(),
                doc: None,
            })
            .collect();
        TypeDef {
            ident: String::new(),
            origin: Name::Suggested("T".into()),
            pointer: JsonPointer::root(),
            doc: None,
            kind: TypeKind::Struct(Struct {
                fields,
                closed: true,
                extra: None,
            }),
        }
    }

    #[test]
    fn boxes_only_edges_inside_cycles() {
        // 0 → 1 (Option) → 0 is a cycle; 0 → 2 is not; 1 → Vec<1> needs no box.
        let mut types = vec![
            def(vec![Ty::Named(TypeId(1)).optional(), Ty::Named(TypeId(2))]),
            def(vec![
                Ty::Named(TypeId(0)),
                Ty::Vec(Box::new(Ty::Named(TypeId(1)))),
            ]),
            def(vec![Ty::String]),
        ];
        break_cycles(&mut types);
        let fields = |i: usize| match &types[i].kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| f.ty.clone()).collect::<Vec<_>>(),
            _ => vec![],
        };
        assert_eq!(
            fields(0)[0],
            Ty::Option(Box::new(Ty::Boxed(Box::new(Ty::Named(TypeId(1))))))
        );
        assert_eq!(fields(0)[1], Ty::Named(TypeId(2)));
        assert_eq!(fields(1)[0], Ty::Boxed(Box::new(Ty::Named(TypeId(0)))));
        assert_eq!(fields(1)[1], Ty::Vec(Box::new(Ty::Named(TypeId(1)))));
    }
}
